package contacts

import (
	"context"
	"strconv"
	"time"

	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// CorrectionWindow is how long after logging a contact its author may
// still correct it; after that only an addendum can be added.
const CorrectionWindow = 24 * time.Hour

// ErrCorrectionClosed means the contact can no longer be corrected: the
// person is not its author, or more than CorrectionWindow has passed.
var ErrCorrectionClosed = fail.Forbidden("Only the person who logged a contact can correct it, and only within 24 hours of logging it. " +
	"Add an addendum below instead: the contact stays as it was.")

// ErrContactChanged means someone corrected the contact since the person
// read it.
var ErrContactChanged = db.ErrConflict.Because("Someone changed this contact while you were correcting it, so your correction was not saved. " +
	"Your wording is kept below; look at the contact again, then save.")

// Contact is a logged contact with the names a page shows next to it.
type Contact struct {
	ID               string
	PatientID        string
	OccurredAt       time.Time
	Method           string
	Direction        string
	Party            string
	CareTeamMemberID string
	PartyName        string
	PartyRole        string
	Outcome          string
	Minutes          *int
	Summary          string
	AuthorID         string
	AuthorName       string
	CreatedAt        time.Time
	CorrectedAt      *time.Time
	Version          int
}

// CorrectUntil is when the correction window of the contact closes.
func (c Contact) CorrectUntil() time.Time { return c.CreatedAt.Add(CorrectionWindow) }

// CanCorrect reports whether who may still correct the contact at now.
func (c Contact) CanCorrect(who string, now time.Time) bool {
	return who == c.AuthorID && now.Before(c.CorrectUntil())
}

// WithWhom is who the contact was with, as a line reads it: "the patient",
// or the person's name and role.
func (c Contact) WithWhom() string {
	if c.Party == "patient" {
		return "the patient"
	}
	if c.PartyRole != "" {
		return c.PartyName + " (" + c.PartyRole + ")"
	}
	return c.PartyName
}

// Line is the contact in one line, as the timeline shows it: "Phone call
// with the patient: no answer".
func (c NewContact) Line() string {
	with := "the patient"
	if c.Party != "patient" {
		with = c.PartyName
	}
	line := Methods.Label(c.Method) + " with " + with + ": " + outcomeWords.Label(c.Outcome)
	if c.Minutes != nil && *c.Minutes > 0 {
		line += " (" + strconv.Itoa(*c.Minutes) + " min)"
	}
	return line
}

// outcomeWords are the outcomes as a timeline line ends.
var outcomeWords = forms.Choices[string]{
	{Value: "reached", Label: "reached"}, {Value: "left_message", Label: "left a message"}, {Value: "no_answer", Label: "no answer"},
	{Value: "wrong_number", Label: "wrong number"}, {Value: "declined", Label: "declined to talk"}, {Value: "sent", Label: "sent"},
}

// Logged is what logging a contact did besides storing it, for the
// timeline and the flash message.
type Logged struct {
	ID         string
	FollowUpID string
	// Closed are the discharge follow-up tasks the contact closed, met
	// or late.
	Closed []Closed
	// Reach is the patient's reach state after the contact; Before before.
	Reach, Before Reach
}

// store stores a validated contact for the patient, logged by a at a.At,
// with the goals it touched (and their progress notes), its follow-up task,
// the patient's recounted reach state and any discharge follow-up it meets,
// all in q's transaction.
func store(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, c NewContact) (Logged, error) {
	var out Logged
	before, err := lockReach(ctx, q, a.TenantID, patientID)
	if err != nil {
		return out, err
	}
	out.Before = before
	err = q.QueryRow(ctx, `
		insert into contacts (tenant_id, patient_id, occurred_at, method, direction, party, care_team_member_id,
			party_name, party_role, outcome, minutes, summary, author_id, created_at)
		values ($1, $2, $3, $4, $5, $6, nullif($7, '')::uuid, $8, $9, $10, $11, $12, $13, $14)
		returning id`,
		a.TenantID, patientID, c.OccurredAt, c.Method, c.Direction, c.Party, c.MemberID,
		c.PartyName, c.PartyRole, c.Outcome, c.Minutes, c.Summary, a.UserID, a.At).Scan(&out.ID)
	if err != nil {
		return out, err
	}
	for _, g := range c.Goals {
		if err := touchGoal(ctx, q, a.TenantID, patientID, out.ID, a.UserID, g); err != nil {
			return out, err
		}
	}
	if c.FollowUp != nil {
		t := *c.FollowUp
		t.PatientID, t.SourceID, t.CreatedAt = patientID, out.ID, a.At
		if out.FollowUpID, _, err = tasks.Create(ctx, q, a.TenantID, t); err != nil {
			return out, err
		}
	}
	return out, afterContact(ctx, q, a, patientID, c, nil, &out)
}

// afterContact recounts the patient's reach state after a contact was
// stored or corrected (was is the contact before the correction), and,
// when the contact engages the patient or did before, works out again the
// engagement of the discharges it could change and closes the follow-ups
// that FollowUpOutcome says it met or came late for.
func afterContact(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, c NewContact, was *Contact, out *Logged) (err error) {
	if out.Reach, err = recountReach(ctx, q, a.TenantID, patientID); err != nil {
		return err
	}
	since, engages := c.OccurredAt, Engages(FollowUpContact{Method: c.Method, Party: c.Party, Outcome: c.Outcome})
	if was != nil && Engages(FollowUpContact{Method: was.Method, Party: was.Party, Outcome: was.Outcome}) {
		engages = true
		if was.OccurredAt.Before(since) {
			since = was.OccurredAt
		}
	}
	if engages {
		out.Closed, err = settleFollowUps(ctx, q, a, patientID, &since, a.At.Location(), true)
	}
	return err
}

// touchGoal links the contact to a goal of the patient's open plan and
// stores the progress note written for it.
func touchGoal(ctx context.Context, q db.DBTX, tenantID, patientID, contactID, authorID string, g TouchedGoal) error {
	noteID := ""
	if g.Note != "" {
		var err error
		if noteID, err = careplans.AddProgressNote(ctx, q, tenantID, patientID, g.GoalID, authorID, g.Note); err != nil {
			return err
		}
	}
	_, err := q.Exec(ctx, `
		insert into contact_goals (tenant_id, contact_id, goal_id, progress_note_id)
		values ($1, $2, $3, nullif($4, '')::uuid)`, tenantID, contactID, g.GoalID, noteID)
	return err
}

const contactSelect = `
	select c.id, c.patient_id, c.occurred_at, c.method, c.direction, c.party,
	       coalesce(c.care_team_member_id::text, '') as care_team_member_id, c.party_name, c.party_role, c.outcome,
	       c.minutes, c.summary, c.author_id, u.name as author_name, c.created_at, c.corrected_at, c.version
	  from contacts c join users u on u.id = c.author_id
	 where c.tenant_id = $1 and c.patient_id = $2 `

// Get reads one contact of the patient.
func Get(ctx context.Context, q db.DBTX, tenantID, patientID, id string) (Contact, error) {
	rows, _ := q.Query(ctx, contactSelect+`and c.id = $3`, tenantID, patientID, id)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Contact])
	return c, db.NotFound(err)
}

// Recent lists the patient's latest contacts, newest first.
func Recent(ctx context.Context, q db.DBTX, tenantID, patientID string, limit int) ([]Contact, error) {
	return recentQuery(tenantID, patientID, limit).All(ctx, q)
}

func recentQuery(tenantID, patientID string, limit int) db.Query[Contact] {
	return db.Query[Contact]{SQL: contactSelect + `order by c.occurred_at desc, c.id desc limit $3`,
		Args: []any{tenantID, patientID, limit}, Scan: pgx.RowToStructByName[Contact]}
}

// correct replaces the contact's details with c, keeping the wording it
// had as a revision. Only its author may, within CorrectionWindow of
// logging it, and only from the version they read. The goals and follow-up
// of the original stay as they were.
func correct(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string, old Contact, version int, c NewContact) (Logged, error) {
	out := Logged{ID: old.ID}
	before, err := lockReach(ctx, q, a.TenantID, patientID)
	if err != nil {
		return out, err
	}
	out.Before = before
	if old.Version != version {
		return out, ErrContactChanged
	}
	_, err = q.Exec(ctx, `
		insert into contact_revisions (tenant_id, contact_id, number, occurred_at, method, direction, party,
			party_name, party_role, outcome, minutes, summary, corrected_by, reason)
		select tenant_id, id, version, occurred_at, method, direction, party,
		       party_name, party_role, outcome, minutes, summary, $4, $5
		  from contacts where tenant_id = $1 and patient_id = $2 and id = $3`,
		a.TenantID, patientID, old.ID, a.UserID, c.Reason)
	if err != nil {
		return out, err
	}
	// Author and window are checked again by the statement itself, so a
	// correction that reaches the database a moment too late is refused
	// there too.
	tag, err := q.Exec(ctx, `
		update contacts set occurred_at = $5, method = $6, direction = $7, party = $8,
			care_team_member_id = nullif($9, '')::uuid, party_name = $10, party_role = $11, outcome = $12,
			minutes = $13, summary = $14, corrected_at = $17, version = version + 1
		 where tenant_id = $1 and patient_id = $2 and id = $3 and version = $4
		   and author_id = $15 and created_at > $17::timestamptz - make_interval(secs => $16)`,
		a.TenantID, patientID, old.ID, version, c.OccurredAt, c.Method, c.Direction, c.Party,
		c.MemberID, c.PartyName, c.PartyRole, c.Outcome, c.Minutes, c.Summary, a.UserID, CorrectionWindow.Seconds(), a.At)
	if err != nil {
		return out, err
	}
	if tag.RowsAffected() == 0 {
		return out, ErrCorrectionClosed
	}
	return out, afterContact(ctx, q, a, patientID, c, &old, &out)
}

// Revision is a contact as it read before a correction.
type Revision struct {
	Number        int
	OccurredAt    time.Time
	Method        string
	Direction     string
	Party         string
	PartyName     string
	PartyRole     string
	Outcome       string
	Minutes       *int
	Summary       string
	CorrectedBy   string
	CorrectedAt   time.Time
	Reason        string
	CorrectedName string
}

// Of is the contact c as it read before this correction.
func (r Revision) Of(c Contact) Contact {
	c.OccurredAt, c.Method, c.Direction, c.Party, c.PartyName, c.PartyRole = r.OccurredAt, r.Method, r.Direction, r.Party, r.PartyName, r.PartyRole
	c.Outcome, c.Minutes, c.Summary, c.CorrectedAt = r.Outcome, r.Minutes, r.Summary, nil
	return c
}

// Revisions lists the earlier wordings of a contact, oldest first.
func Revisions(ctx context.Context, q db.DBTX, tenantID, contactID string) ([]Revision, error) {
	rows, _ := q.Query(ctx, `
		select r.number, r.occurred_at, r.method, r.direction, r.party, r.party_name, r.party_role, r.outcome,
		       r.minutes, r.summary, r.corrected_by, r.corrected_at, r.reason, u.name as corrected_name
		  from contact_revisions r join users u on u.id = r.corrected_by
		 where r.tenant_id = $1 and r.contact_id = $2
		 order by r.number`, tenantID, contactID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Revision])
}

// Addendum is text added to a contact later.
type Addendum struct {
	Note       string
	AuthorName string
	CreatedAt  time.Time
}

// validateAddendum returns a message for the person when note can't be
// added, or "".
func validateAddendum(note string) string {
	switch {
	case note == "":
		return "Write what you want to add."
	case len([]rune(note)) > 4000:
		return "Keep the addendum to 4000 characters or fewer."
	}
	return ""
}

// addAddendum adds a validated note by a to a contact of the patient.
func addAddendum(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, contactID, note string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `
		insert into contact_addenda (tenant_id, contact_id, note, author_id, created_at)
		select tenant_id, id, $4, $5, $6 from contacts where tenant_id = $1 and patient_id = $2 and id = $3
		returning id`, a.TenantID, patientID, contactID, note, a.UserID, a.At).Scan(&id)
	return id, db.NotFound(err)
}

// Addenda lists a contact's addenda, oldest first.
func Addenda(ctx context.Context, q db.DBTX, tenantID, contactID string) ([]Addendum, error) {
	rows, _ := q.Query(ctx, `
		select a.note, u.name as author_name, a.created_at
		  from contact_addenda a join users u on u.id = a.author_id
		 where a.tenant_id = $1 and a.contact_id = $2
		 order by a.created_at, a.id`, tenantID, contactID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[Addendum])
}

// GoalTouched is a goal a contact worked on, with the note written then.
type GoalTouched struct {
	Label string
	Note  string
}

// GoalsOf lists the goals a contact touched.
func GoalsOf(ctx context.Context, q db.DBTX, tenantID, contactID string) ([]GoalTouched, error) {
	rows, _ := q.Query(ctx, `
		select g.patient_words as label, coalesce(n.note, '') as note
		  from contact_goals cg
		  join goals g on g.tenant_id = cg.tenant_id and g.id = cg.goal_id
		  left join goal_progress_notes n on n.tenant_id = cg.tenant_id and n.id = cg.progress_note_id
		 where cg.tenant_id = $1 and cg.contact_id = $2
		 order by g.position, g.id`, tenantID, contactID)
	return pgx.CollectRows(rows, pgx.RowToStructByName[GoalTouched])
}
