package patients

import (
	"context"
	"strings"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// DuplicatePageSize is how many pairs one page of possible duplicates shows.
const DuplicatePageSize = 25

// Evidence is why two records may be one person.
type Evidence string

// The kinds of evidence, each a way the same person comes to have two
// records: taken in twice with the name typed differently, or the same
// phone, email or external id typed in another format.
const (
	SameBirthDateAlikeName Evidence = "birth_date_and_name"
	SamePhone              Evidence = "phone"
	SameEmail              Evidence = "email"
	SameExternalID         Evidence = "external_id"
)

// Evidences lists every kind of evidence with how it reads on screen.
var Evidences = forms.Choices[Evidence]{
	{Value: SameBirthDateAlikeName, Label: "Same date of birth, similar name"},
	{Value: SamePhone, Label: "Same phone number"},
	{Value: SameEmail, Label: "Same email"},
	{Value: SameExternalID, Label: "Same MRN or member id, written differently"},
}

// Label is how the evidence reads on screen.
func (e Evidence) Label() string { return Evidences.Label(e) }

// PairSide is one record of a possible pair: what tells people apart.
type PairSide struct {
	ID              string
	GivenName       string
	FamilyName      string
	DateOfBirth     time.Time
	Phone           string
	Email           string
	ExternalID      string
	Status          Status
	CoordinatorName string
}

// DuplicatePair is two records of the tenant that may be one person: A has
// the smaller id, so a pair is listed once.
type DuplicatePair struct {
	A, B     PairSide
	Evidence []Evidence
}

// DuplicatePage is one page of possible duplicates.
type DuplicatePage struct {
	Pairs []DuplicatePair
	// Next is the cursor of the following page ("" on the last): the two
	// ids of this page's last pair, never a name.
	Next string
	// Problem says why the cursor asked for was not used (the page is
	// then the first).
	Problem string
}

// pairKey is a pair's place in the list: the list runs in order of the
// smaller id, then the larger.
type pairKey struct {
	A, B string
	// Evidence is as stored in SQL, before it becomes []Evidence.
	Evidence []string
}

// firstPair is the cursor before every pair.
const firstPair = "00000000-0000-0000-0000-000000000000"

// parsePairCursor reads a page cursor ("<id>.<id>"); "" is the first page,
// and so is a malformed one, with a message saying so.
func parsePairCursor(after string) (a, b, problem string) {
	a, b, ok := strings.Cut(after, ".")
	if after == "" || !ok || !db.ValidUUID(a) || !db.ValidUUID(b) {
		if after != "" {
			problem = "That page link does not work, so the list starts again from the first page."
		}
		return firstPair, firstPair, problem
	}
	return a, b, ""
}

// DuplicatePairs reads one page of the tenant's possible duplicates after
// the cursor, for a supervisor: records sharing a date of birth (with a
// name alike by the intake's rule), a phone, an email or an external id,
// as the database keeps them (each record compared only with those, by
// index, when it is taken in or edited; never all pairs). Pairs a
// supervisor decided are not one person stay out.
func (s *Service) DuplicatePairs(ctx context.Context, a tenants.Actor, after string) (DuplicatePage, error) {
	if !a.Can(auth.Role.ReviewsCaseloads) {
		return DuplicatePage{}, errNotSupervisor
	}
	fromA, fromB, problem := parsePairCursor(after)
	return inTenant(ctx, s, a, func(tx pgx.Tx) (DuplicatePage, error) {
		keys, err := pairKeys(ctx, tx, a.TenantID, fromA, fromB, DuplicatePageSize+1)
		if err != nil {
			return DuplicatePage{}, err
		}
		page := DuplicatePage{Problem: problem}
		if len(keys) > DuplicatePageSize {
			keys = keys[:DuplicatePageSize]
			last := keys[len(keys)-1]
			page.Next = last.A + "." + last.B
		}
		page.Pairs, err = pairsOf(ctx, tx, a.TenantID, keys)
		if err != nil {
			return DuplicatePage{}, err
		}
		return page, a.AuditListed(ctx, tx, audit.Event{Action: "patient.listed", Detail: map[string]any{"list": "possible_duplicates"}}, pairIDs(keys))
	})
}

// errNotSupervisor: the duplicates list and merging are a supervisor's
// work, as reassignment is.
var errNotSupervisor = fail.Forbidden("Only supervisors review possible duplicates and merge records.")

// pairKeys reads up to limit pairs after (fromA, fromB), with their
// evidence, from the candidates the database keeps as records are taken in
// and edited (migrations/00023), leaving out the pairs decided distinct.
func pairKeys(ctx context.Context, q db.DBTX, tenantID, fromA, fromB string, limit int) ([]pairKey, error) {
	rows, _ := q.Query(ctx, `
		select c.patient_a as a, c.patient_b as b, c.evidence
		  from patient_duplicate_candidates c
		 where c.tenant_id = $1 and (c.patient_a, c.patient_b) > ($2::uuid, $3::uuid)
		   and not exists (select from patient_distinct_pairs d
		                    where d.tenant_id = $1 and d.patient_a = c.patient_a and d.patient_b = c.patient_b)
		 order by c.patient_a, c.patient_b
		 limit $4`, tenantID, fromA, fromB, limit)
	return pgx.CollectRows(rows, pgx.RowToStructByName[pairKey])
}

// pairsOf reads both records of each pair.
func pairsOf(ctx context.Context, q db.DBTX, tenantID string, keys []pairKey) ([]DuplicatePair, error) {
	rows, _ := q.Query(ctx, `
		select p.id, p.given_name, p.family_name, p.date_of_birth, p.phone, p.email, p.external_id, p.status,
		       coalesce(u.name, '') as coordinator_name
		  from patients p left join users u on u.id = p.assigned_coordinator_id
		 where p.tenant_id = $1 and p.id = any($2::uuid[])`, tenantID, pairIDs(keys))
	sides, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairSide])
	if err != nil {
		return nil, err
	}
	byID := make(map[string]PairSide, len(sides))
	for _, p := range sides {
		byID[p.ID] = p
	}
	out := make([]DuplicatePair, len(keys))
	for i, k := range keys {
		out[i] = DuplicatePair{A: byID[k.A], B: byID[k.B]}
		for _, e := range k.Evidence {
			out[i].Evidence = append(out[i].Evidence, Evidence(e))
		}
	}
	return out, nil
}

// pairIDs are the ids of every record in the pairs.
func pairIDs(keys []pairKey) []string {
	ids := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		ids = append(ids, k.A, k.B)
	}
	return ids
}

// MarkDistinct records a supervisor's decision that the two records are
// not the same person, so the pair leaves the possible duplicates for
// good. Deciding it twice changes nothing; both records must be the
// tenant's.
func (s *Service) MarkDistinct(ctx context.Context, a tenants.Actor, one, other string) error {
	if !a.Can(auth.Role.ReviewsCaseloads) {
		return errNotSupervisor
	}
	if one == other {
		return fail.Precondition("A record is always the same person as itself.")
	}
	lo, hi := min(one, other), max(one, other)
	return db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			insert into patient_distinct_pairs (tenant_id, patient_a, patient_b, decided_by, decided_at)
			select $1, $2, $3, nullif($4, '')::uuid, $5
			 where (select count(*) from patients where tenant_id = $1 and id in ($2, $3)) = 2
			on conflict do nothing`, a.TenantID, lo, hi, a.UserID, a.At)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return distinctAlready(ctx, tx, a.TenantID, lo, hi)
		}
		return a.AuditPatients(ctx, tx, audit.Event{Action: "patient.distinct_marked", EntityType: "patient_pair",
			EntityID: lo, Detail: map[string]any{"patients": []string{lo, hi}}}, []string{lo, hi})
	})
}

// distinctAlready is nil when the pair was already decided, and
// db.ErrNotFound when one of its records is not the tenant's.
func distinctAlready(ctx context.Context, q db.DBTX, tenantID, lo, hi string) error {
	var found bool
	err := q.QueryRow(ctx, `select true from patient_distinct_pairs where tenant_id = $1 and patient_a = $2 and patient_b = $3`,
		tenantID, lo, hi).Scan(&found)
	return db.NotFound(err)
}
