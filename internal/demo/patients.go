package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// The demo patients are generated rather than written out as fixtures: sixty
// charts per tenant stay readable as name lists and rules. A fixed seed per
// tenant makes them the same on every machine. Every random choice depends
// only on the seed, never on the date, so the same people appear whatever
// the day; only dates of activity (referrals, consents, coverage) are
// placed relative to today so that the demo never looks stale.

// patientsPerTenant is how many patients each demo tenant gets.
const patientsPerTenant = 60

// birthAnchor fixes dates of birth, so that the duplicate check and anything
// else keyed on birth dates behaves the same on every day. Ages are 19 to 93
// on this day, and therefore 19 to 94 for the year after it.
var birthAnchor = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// loadedPatient is a demo patient as stored. Later demo data (assessments,
// plans, contacts) is generated from these, so that it fits each patient's
// status, risk tier and coordinator.
type loadedPatient struct {
	ID     string
	Status patients.Status
	// CoordinatorLocal is the assigned demo person ("coord1", "coord2",
	// "supervisor"), or "" for a referral nobody has picked up yet.
	CoordinatorLocal string
	patients.NewPatient
}

// demoPatient is a generated patient before it is stored: the intake as a
// coordinator would type it, plus what happened to the patient since.
type demoPatient struct {
	intake           patients.IntakeForm
	status           patients.Status
	coordinatorLocal string
}

// loadPatients stores the demo patients of the tenant that is number index
// in Tenants, with their coverage, care team and consents, then moves each
// to its status.
func loadPatients(ctx context.Context, tx pgx.Tx, index int, t seededTenant, today time.Time) ([]loadedPatient, error) {
	if err := db.BindTenant(ctx, tx, t.ID); err != nil {
		return nil, err
	}
	gen, err := generatePatients(index, t.Slug, patientsPerTenant, today)
	if err != nil {
		return nil, err
	}
	out := make([]loadedPatient, 0, len(gen))
	for _, dp := range gen {
		lp, err := storePatient(ctx, tx, t, dp, today)
		if err != nil {
			return nil, err
		}
		out = append(out, lp)
	}
	return out, setStatuses(ctx, tx, t.ID, out)
}

// storePatient takes the patient in by the intake's own rules: demo data
// is data a coordinator could have typed. It calls TakeIn, not the Intake
// use case, so that the audit log, which records what people did, holds no
// made-up intakes.
func storePatient(ctx context.Context, tx pgx.Tx, t seededTenant, dp demoPatient, today time.Time) (loadedPatient, error) {
	dp.intake.CoordinatorID = t.users[dp.coordinatorLocal]
	// The generator makes each person once: a namesake born the same day
	// is someone else.
	dp.intake.ConfirmedNew = true
	actor := dp.intake.CoordinatorID
	if actor == "" {
		actor = t.users["supervisor"]
	}
	a := tenants.Actor{TenantID: t.ID, UserID: actor, At: today}
	in, err := patients.TakeIn(ctx, tx, a, dp.intake)
	if err != nil {
		return loadedPatient{}, fmt.Errorf("demo patient %s %s: %w %v", dp.intake.GivenName, dp.intake.FamilyName, err, fail.Fields(err))
	}
	return loadedPatient{ID: in.PatientID, Status: dp.status, CoordinatorLocal: dp.coordinatorLocal, NewPatient: in.Stored}, nil
}

// setStatuses moves the patients past "referred" in one statement: intake
// always starts a patient as referred.
func setStatuses(ctx context.Context, tx pgx.Tx, tenantID string, ps []loadedPatient) error {
	var ids, statuses []string
	for _, p := range ps {
		if p.Status != patients.Referred {
			ids = append(ids, p.ID)
			statuses = append(statuses, string(p.Status))
		}
	}
	_, err := tx.Exec(ctx, `
		update patients p set status = s.status
		  from unnest($2::uuid[], $3::text[]) as s(id, status)
		 where p.tenant_id = $1 and p.id = s.id`, tenantID, ids, statuses)
	return err
}

// generatePatients makes n patients for the tenant numbered index, the same
// ones on every run.
func generatePatients(index int, slug string, n int, today time.Time) ([]demoPatient, error) {
	loc, ok := locales[slug]
	if !ok {
		return nil, fmt.Errorf("no demo locale for tenant %q", slug)
	}
	g := newGenerator(index, slug, loc, today)
	statuses := deck(g.rng, n, []share[patients.Status]{
		{patients.Referred, 12}, {patients.OnHold, 10}, {patients.Discharged, 14}, {patients.Active, 0},
	})
	tiers := deck(g.rng, n, []share[patients.RiskTier]{
		{patients.Low, 30}, {patients.High, 25}, {patients.Moderate, 0},
	})
	out := make([]demoPatient, n)
	for i := range out {
		out[i] = g.patient(statuses[i], tiers[i])
	}
	return out, nil
}

// share is a value's percentage of a deck; 0 takes whatever is left.
type share[T any] struct {
	value   T
	percent int
}

// deck deals n values in the given shares, shuffled: every value with a
// share appears, which plain random draws would not promise.
func deck[T any](rng *rand.Rand, n int, shares []share[T]) []T {
	out := make([]T, 0, n)
	var rest T
	for _, s := range shares {
		if s.percent == 0 {
			rest = s.value
			continue
		}
		for range max(1, n*s.percent/100) {
			out = append(out, s.value)
		}
	}
	for len(out) < n {
		out = append(out, rest)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:n]
}

// generator holds one tenant's random source and what its patients are
// drawn from.
type generator struct {
	rng        *rand.Rand
	today      time.Time
	loc        locale
	cultures   []*tenantCulture // this tenant's share of the name pools
	phones     []string         // unused fictional numbers
	usedNames  map[string]bool
	externalID int
	assigned   int // patients assigned so far, for the round robin
	unassigned int // referrals left without a coordinator so far
}

func newGenerator(index int, slug string, loc locale, today time.Time) *generator {
	h := fnv.New64a()
	h.Write([]byte(slug))
	g := &generator{
		rng:        rand.New(rand.NewPCG(h.Sum64(), 20261124)),
		today:      today,
		loc:        loc,
		usedNames:  map[string]bool{},
		externalID: loc.idBase,
	}
	for _, c := range cultures {
		g.cultures = append(g.cultures, c.dealt(index, len(Tenants)))
	}
	taken := loc.phonesInUse()
	for _, area := range loc.areaCodes {
		for n := 100; n <= 199; n++ {
			if p := fmt.Sprintf("(%s) 555-%04d", area, n); !taken[p] {
				g.phones = append(g.phones, p)
			}
		}
	}
	g.rng.Shuffle(len(g.phones), func(i, j int) { g.phones[i], g.phones[j] = g.phones[j], g.phones[i] })
	return g
}

func (g *generator) chance(percent int) bool { return g.rng.IntN(100) < percent }

// between returns a whole number from lo to hi inclusive.
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// phone hands out a number nobody else in the tenant has: 555-0100 to
// 555-0199 are reserved for fiction in every North American area code.
// Once they run out, people go without a phone rather than share one.
func (g *generator) phone() string {
	if len(g.phones) == 0 {
		return ""
	}
	p := g.phones[0]
	g.phones = g.phones[1:]
	return p
}

func (g *generator) daysAgo(n int) time.Time { return g.today.AddDate(0, 0, -n) }

// someone is a generated person: a patient or a family member.
type someone struct {
	given, preferred, family string
	female                   bool
	culture                  *tenantCulture
}

func (p someone) fullName() string { return p.given + " " + p.family }

func (g *generator) pickCulture() *tenantCulture {
	n := g.rng.IntN(100)
	for _, c := range g.cultures {
		if n < c.weight {
			return c
		}
		n -= c.weight
	}
	return g.cultures[0]
}

// newPerson draws a person of culture c, of the given sex and age, with
// the family name given (a relative) or a drawn one when family is "".
func (g *generator) newPerson(c *tenantCulture, female bool, age int, family string) someone {
	first := g.draw(c.firstNames(female, age))
	given, preferred, _ := strings.Cut(first, "|")
	if family == "" {
		family = g.draw(&c.families)
	}
	if female && c.feminine != nil {
		family = c.feminine(family)
	}
	return someone{given: given, preferred: preferred, family: family, female: female, culture: c}
}

// newUniquePerson draws until the full name is new in the tenant: two
// demo people with one name would look like a duplicate-check bug. A
// relative's family name is fixed, so after a round of every first name it
// gives up and repeats one.
func (g *generator) newUniquePerson(c *tenantCulture, female bool, age int, family string) someone {
	for range 40 {
		p := g.newPerson(c, female, age, family)
		if !g.usedNames[p.fullName()] {
			g.usedNames[p.fullName()] = true
			return p
		}
	}
	return g.newPerson(c, female, age, family)
}

// patient generates one patient whose status and tier the decks chose.
func (g *generator) patient(status patients.Status, tier patients.RiskTier) demoPatient {
	age := g.age()
	p := g.newUniquePerson(g.pickCulture(), g.chance(55), age, "")
	dob := birthAnchor.AddDate(-age, 0, -g.between(1, 364))
	referredDaysAgo := g.referralAge(status)
	referred := g.daysAgo(referredDaysAgo)

	var f patients.IntakeForm
	d := &f.DetailsForm
	d.GivenName, d.FamilyName = p.given, p.family
	if p.preferred != "" && g.chance(60) {
		d.PreferredName = p.preferred
	}
	d.DateOfBirth = dob.Format(calendar.DateLayout)
	g.identity(d, p)
	g.language(d, p.culture, age)
	g.address(d)
	d.RiskTier = string(tier)
	d.ExternalID = g.nextExternalID()

	g.contact(d, age)
	team, caregiver := g.careTeam(p, age, tier)
	consents, sharing, texts := g.consents(status, referredDaysAgo, age, caregiver, d.Phone != "")
	for i := range team {
		// The family or a provider may see what the patient agreed to share.
		team[i].ConsentToShare = sharing && (team[i].Kind != "caregiver" || g.chance(85))
	}
	f.CareTeam, f.Consents = team, consents
	g.contactMethod(d, texts)
	f.Coverages = g.coverage(age, dob)
	if len(f.Coverages) > 0 {
		f.PrimaryCoverage = "0"
	}
	d.ReferralDate = referred.Format(calendar.DateLayout)
	d.ReferralSource = g.referralSource(team, age)
	d.ReferralReason = pick(g, referralReasons[tier])
	return demoPatient{intake: f, status: status, coordinatorLocal: g.coordinator(status)}
}

// age leans old, as care coordination caseloads do.
func (g *generator) age() int {
	switch n := g.rng.IntN(100); {
	case n < 15:
		return g.between(19, 39)
	case n < 50:
		return g.between(40, 64)
	default:
		return g.between(65, 93)
	}
}

// referralAge is how many days ago the patient was referred: recently for
// new referrals, long ago for people already discharged.
func (g *generator) referralAge(s patients.Status) int {
	switch s {
	case patients.Referred:
		return g.between(2, 21)
	case patients.OnHold:
		return g.between(45, 400)
	case patients.Discharged:
		return g.between(120, 720)
	}
	return g.between(25, 540)
}

func (g *generator) identity(d *patients.DetailsForm, p someone) {
	d.Sex = "male"
	d.Pronouns = "he/him"
	if p.female {
		d.Sex = "female"
		d.Pronouns = "she/her"
	}
	switch n := g.rng.IntN(100); {
	case n < 2:
		d.GenderIdentity, d.Pronouns = "Non-binary", "they/them"
	case n < 35:
		d.Pronouns = "" // not asked at intake
	}
}

func (g *generator) language(d *patients.DetailsForm, c *tenantCulture, age int) {
	d.PreferredLanguage = "English"
	if c.language != "" && g.chance(c.nonEnglish+age/10) {
		d.PreferredLanguage = c.language
		d.InterpreterNeeded = g.chance(85)
	}
}

func (g *generator) address(d *patients.DetailsForm) {
	t := pick(g, g.loc.towns)
	d.AddressLine1 = strconv.Itoa(g.between(12, 9840)) + " " + pick(g, streets)
	if g.chance(30) {
		d.AddressLine2 = pick(g, []string{"Apt 2B", "Apt 104", "Unit 7", "Apt 3", "Apt 215", "Unit 12C", "Apt 1"})
	}
	d.City, d.Region, d.PostalCode = t.name, g.loc.region, t.zip
}

// contact fills the patient's phone numbers and email.
func (g *generator) contact(d *patients.DetailsForm, age int) {
	if g.chance(94) {
		d.Phone = g.phone()
	}
	if g.chance(15) {
		d.PhoneAlt = g.phone()
	}
	if g.chance(75 - age*2/3) {
		d.Email = emailOf(d.GivenName, d.FamilyName, g.between(1, 99), pick(g, []string{"example.org", "example.com"}))
	}
	if g.chance(60) {
		d.BestTimeToCall = pick(g, bestTimes)
	}
}

// contactMethod is how the patient likes to be reached; texts only for
// those who agreed to them.
func (g *generator) contactMethod(d *patients.DetailsForm, texts bool) {
	d.PreferredContactMethod = "phone"
	switch n := g.rng.IntN(100); {
	case texts && n < 50:
		d.PreferredContactMethod = "text"
	case d.Email != "" && !d.InterpreterNeeded && n < 70:
		d.PreferredContactMethod = "email"
	case n > 95:
		d.PreferredContactMethod = pick(g, []string{"mail", "in_person"})
	}
	if d.Phone == "" && d.PreferredContactMethod != "email" {
		d.PreferredContactMethod = "mail"
	}
}

// emailOf makes an address at a reserved example domain.
func emailOf(given, family string, n int, domain string) string {
	local := ascii(given) + "." + ascii(family)
	if n%3 == 0 {
		local += strconv.Itoa(n)
	}
	return local + "@" + domain
}

var asciiFold = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "è", "e", "ç", "c",
	"É", "E", "ô", "o", "'", "", " ", "", "-", "")

func ascii(s string) string { return strings.ToLower(asciiFold.Replace(s)) }

func (g *generator) nextExternalID() string {
	g.externalID += g.between(7, 900)
	if g.chance(8) {
		return "" // some referrals come from people with no record anywhere yet
	}
	return g.loc.idPrefix + "-" + strconv.Itoa(g.externalID)
}

// coordinator assigns patients in turn to the two coordinators, with every
// eleventh to the supervisor; two new referrals wait for someone to pick
// them up.
func (g *generator) coordinator(s patients.Status) string {
	if s == patients.Referred && g.unassigned < 2 {
		g.unassigned++
		return ""
	}
	g.assigned++
	switch {
	case g.assigned%11 == 0:
		return "supervisor"
	case g.assigned%2 == 0:
		return "coord2"
	}
	return "coord1"
}

// careTeam makes one to three members; caregiver is the family member or
// friend among them, if any.
func (g *generator) careTeam(p someone, age int, tier patients.RiskTier) ([]patients.MemberForm, *someone) {
	var team []patients.MemberForm
	var caregiver *someone
	if g.chance(55 + age/4) {
		c, m := g.caregiver(p, age)
		caregiver = &c
		team = append(team, m)
	}
	if g.chance(90) {
		team = append(team, g.primaryCare(age))
	}
	specialist := 20
	if tier == patients.High {
		specialist = 45
	}
	if g.chance(specialist) {
		team = append(team, g.professional("specialist", g.loc.specialists))
	}
	if g.chance(12) {
		team = append(team, g.professional("behavioral_health", g.loc.counsellors))
	}
	if g.chance(18) {
		team = append(team, g.professional("community", g.loc.community))
	}
	if len(team) == 0 {
		team = append(team, g.primaryCare(age))
	}
	return team[:min(len(team), 3)], caregiver
}

// relative is a caregiver's relationship to the patient and whether they
// share the patient's family name.
// relative is a caregiver's relationship to the patient, whether they share
// the patient's family name, and about how much older they are.
type relative struct {
	relationship string
	female       bool
	sameFamily   bool
	olderBy      int
}

var olderCaregivers = []relative{
	{"Daughter", true, true, -28}, {"Son", false, true, -30}, {"Wife", true, true, -2}, {"Husband", false, true, 2},
	{"Niece", true, false, -25}, {"Granddaughter", true, true, -50}, {"Neighbour", true, false, -5}, {"Friend", false, false, 0},
}

var youngerCaregivers = []relative{
	{"Mother", true, true, 26}, {"Father", false, true, 29}, {"Partner", false, false, 1}, {"Partner", true, false, -1},
	{"Sister", true, true, 3}, {"Brother", false, true, -3}, {"Friend", true, false, 0},
}

func (g *generator) caregiver(p someone, age int) (someone, patients.MemberForm) {
	rels := youngerCaregivers
	if age >= 55 {
		rels = olderCaregivers
	}
	r := pick(g, rels)
	family := ""
	if r.sameFamily {
		family = p.family
	}
	c := g.newUniquePerson(p.culture, r.female, max(18, age+r.olderBy), family)
	m := patients.MemberForm{Kind: "caregiver", Name: c.fullName(), Relationship: r.relationship, Phone: g.phone(), EmergencyContact: g.chance(85)}
	if g.chance(40) {
		m.Email = emailOf(c.given, c.family, g.between(1, 99), pick(g, []string{"example.com", "example.org"}))
	}
	return c, m
}

func (g *generator) primaryCare(age int) patients.MemberForm {
	pr := pick(g, g.loc.practices)
	for pr.geriatric && age < 65 {
		pr = pick(g, g.loc.practices)
	}
	c := pick(g, pr.clinicians)
	role := "Primary care physician"
	if !strings.HasPrefix(c, "Dr. ") {
		role = "Nurse practitioner"
	}
	return patients.MemberForm{Kind: "primary_care", Name: c, Relationship: role, Organisation: pr.name, Phone: pr.phone}
}

func (g *generator) professional(kind string, from []professional) patients.MemberForm {
	p := pick(g, from)
	return patients.MemberForm{Kind: kind, Name: p.name, Relationship: p.role, Organisation: p.org, Phone: p.phone}
}

// consents returns the consents given, and whether information sharing and
// text messages are among them. Most new referrals have not been reached
// yet, so have not consented to anything.
func (g *generator) consents(s patients.Status, referredDaysAgo, age int, caregiver *someone, hasPhone bool) ([]patients.ConsentForm, bool, bool) {
	if s == patients.Referred && !g.chance(40) || s != patients.Referred && !g.chance(97) {
		return nil, false, false
	}
	by := "Patient"
	if caregiver != nil && (age >= 88 || g.chance(12)) {
		by = caregiver.fullName()
	}
	// Consents come in at the first contact, a few days after the referral.
	given := max(1, referredDaysAgo-g.between(1, 14))
	out := []patients.ConsentForm{{Kind: "treatment", GivenOn: g.daysAgo(given).Format(calendar.DateLayout), GivenBy: by}}
	sharing := g.chance(75)
	if sharing {
		on := given
		if given > 330 && s != patients.Discharged {
			on = g.between(10, 300) // renewed at the yearly review
		}
		out = append(out, patients.ConsentForm{Kind: "information_sharing", GivenOn: g.daysAgo(on).Format(calendar.DateLayout),
			GivenBy: by, ExpiresOn: g.daysAgo(on).AddDate(1, 0, 0).Format(calendar.DateLayout)})
	}
	texts := hasPhone && g.chance(40)
	if texts {
		on := max(1, given-g.between(0, 30))
		out = append(out, patients.ConsentForm{Kind: "text_messages", GivenOn: g.daysAgo(on).Format(calendar.DateLayout), GivenBy: by})
	}
	return out, sharing, texts
}

// coverage is primary first. Age decides the programme: Medicare from 65
// (sometimes with Medicaid or a supplement), otherwise Medicaid, Medicare
// through disability, an employer or marketplace plan, or nothing.
func (g *generator) coverage(age int, dob time.Time) []patients.CoverageForm {
	if age >= 65 {
		return g.medicareCoverage(dob)
	}
	switch n := g.rng.IntN(100); {
	case n < 45:
		return []patients.CoverageForm{g.medicaid()}
	case n < 53:
		med := patients.CoverageForm{Payer: "Medicare", PlanName: "Original Medicare (Parts A and B)", MemberID: g.mbi(),
			EffectiveFrom: firstOfMonth(g.daysAgo(g.between(400, 3000)))}
		return []patients.CoverageForm{med, g.medicaid()}
	case n < 88:
		out := []patients.CoverageForm{g.commercial()}
		if g.chance(12) {
			out = append(out, g.commercial()) // a spouse's plan as well
		}
		return out
	}
	return nil
}

func (g *generator) medicareCoverage(dob time.Time) []patients.CoverageForm {
	from := firstOfMonth(dob.AddDate(65, 0, 0))
	if g.chance(40) {
		ma := g.loc.medicareAdvantage
		out := []patients.CoverageForm{{Payer: ma.payer, PlanName: pick(g, ma.plans), MemberID: ma.prefix + g.digits(9),
			EffectiveFrom: from}}
		if g.chance(20) {
			out = append(out, g.medicaid())
		}
		return out
	}
	out := []patients.CoverageForm{{Payer: "Medicare", PlanName: "Original Medicare (Parts A and B)", MemberID: g.mbi(), EffectiveFrom: from}}
	switch n := g.rng.IntN(100); {
	case n < 35:
		out = append(out, patients.CoverageForm{Payer: "Summit Mutual", PlanName: pick(g, []string{"Medicare Supplement Plan G", "Medicare Supplement Plan N"}),
			MemberID: "SMX" + g.digits(8), EffectiveFrom: from})
	case n < 60:
		out = append(out, g.medicaid())
	}
	return out
}

// medicaid coverage is renewed every year, so it ends at the next renewal
// date: coordinators watch those dates.
func (g *generator) medicaid() patients.CoverageForm {
	monthsAgo := g.between(2, 60)
	from := g.today.AddDate(0, -monthsAgo, 0)
	from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	c := patients.CoverageForm{Payer: "Medicaid", PlanName: pick(g, g.loc.medicaidPlans), MemberID: g.digits(8), EffectiveFrom: from.Format(calendar.DateLayout)}
	if g.chance(60) {
		to := from.AddDate(1, 0, -1)
		for !to.After(g.today) {
			to = to.AddDate(1, 0, 0)
		}
		c.EffectiveTo = to.Format(calendar.DateLayout)
	}
	return c
}

func (g *generator) commercial() patients.CoverageForm {
	p := pick(g, commercialPlans)
	from := time.Date(g.today.Year()-g.between(0, 5), time.January, 1, 0, 0, 0, 0, time.UTC)
	return patients.CoverageForm{Payer: p.payer, PlanName: pick(g, p.plans), MemberID: p.prefix + g.digits(9),
		GroupNumber: "G" + g.digits(5), EffectiveFrom: from.Format(calendar.DateLayout)}
}

func firstOfMonth(t time.Time) string {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Format(calendar.DateLayout)
}

func (g *generator) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	return b.String()
}

// mbi makes an identifier shaped like a Medicare Beneficiary Identifier
// (eleven characters, no easily confused letters), shown with dashes.
func (g *generator) mbi() string {
	const letters = "ACDEFGHJKMNPQRTUVWXY"
	const digits = "0123456789"
	const both = letters + digits
	shape := []string{"123456789", letters, both, digits, letters, both, digits, letters, letters, digits, digits}
	var b strings.Builder
	for i, set := range shape {
		if i == 4 || i == 7 {
			b.WriteByte('-')
		}
		b.WriteByte(set[g.rng.IntN(len(set))])
	}
	return b.String()
}

// referralSource names who referred the patient; a primary care referral
// names the patient's own clinician when there is one.
func (g *generator) referralSource(team []patients.MemberForm, age int) string {
	switch n := g.rng.IntN(100); {
	case n < 25:
		return g.loc.hospital + " discharge planner"
	case n < 50:
		for _, m := range team {
			if m.Kind == "primary_care" {
				return "Primary care — " + shortClinician(m.Name)
			}
		}
		return "Primary care — " + shortClinician(g.primaryCare(age).Name)
	case n < 62:
		return "Self-referral"
	case n < 70:
		return pick(g, []string{"Family member", "Daughter called in", "Spouse called in"})
	case n < 80:
		return g.loc.emergency + " emergency department social worker"
	case n < 90:
		return g.loc.healthPlan + " care manager"
	}
	return pick(g, g.loc.community).org
}

// shortClinician is how a coordinator writes a clinician in a referral
// source: "Dr. Marsh", or a nurse practitioner's full name.
func shortClinician(name string) string {
	if rest, ok := strings.CutPrefix(name, "Dr. "); ok {
		return "Dr. " + rest[strings.LastIndex(rest, " ")+1:]
	}
	return name
}

// culture is a pool of names that go together, and the language some of
// its speakers prefer over English.
type culture struct {
	weight     int    // percent of patients
	language   string // "" for English speakers
	nonEnglish int    // percent who prefer language (older people a little more)
	female     []string
	male       []string
	// youngFemale and youngMale, when given, name people under youngUnder.
	youngFemale []string
	youngMale   []string
	family      []string
	// feminine gives the feminine form of a family name, where the
	// language inflects them.
	feminine func(string) string
}

// tenantCulture is one tenant's share of a culture's names.
type tenantCulture struct {
	culture
	females, males, youngFemales, youngMales, families cards
}

// youngUnder is the age below which a culture's younger first names are
// used: few people born in the 1940s are called Brittany.
const youngUnder = 50

func (c *tenantCulture) firstNames(female bool, age int) *cards {
	young := age < youngUnder
	switch {
	case female && young && len(c.youngFemales.names) > 0:
		return &c.youngFemales
	case female:
		return &c.females
	case young && len(c.youngMales.names) > 0:
		return &c.youngMales
	}
	return &c.males
}

// dealt is the tenant's share of the pools: names are dealt in turn to the
// tenants like cards, so no name is in two tenants.
func (c culture) dealt(index, tenants int) *tenantCulture {
	deal := func(xs []string) cards {
		var out []string
		for i := index; i < len(xs); i += tenants {
			out = append(out, xs[i])
		}
		return cards{names: out}
	}
	return &tenantCulture{culture: c, females: deal(c.female), males: deal(c.male),
		youngFemales: deal(c.youngFemale), youngMales: deal(c.youngMale), families: deal(c.family)}
}

// cards hands out names in a shuffled order, so that a name comes back only
// once its whole list has been used.
type cards struct {
	names []string
	next  int
}

func (g *generator) draw(c *cards) string {
	if c.next == 0 {
		g.rng.Shuffle(len(c.names), func(i, j int) { c.names[i], c.names[j] = c.names[j], c.names[i] })
	}
	n := c.names[c.next]
	c.next = (c.next + 1) % len(c.names)
	return n
}

// russianFeminine turns Petrov into Petrova and Belsky into Belskaya;
// Ukrainian -enko names do not change.
func russianFeminine(s string) string {
	switch {
	case strings.HasSuffix(s, "sky"):
		return strings.TrimSuffix(s, "y") + "aya"
	case strings.HasSuffix(s, "ov"), strings.HasSuffix(s, "ev"), strings.HasSuffix(s, "in"):
		return s + "a"
	}
	return s
}

// The pools avoid the demo staff's names, so a search for a patient never
// turns up a colleague. "Name|Nickname" gives a preferred name.
var cultures = []culture{
	{weight: 52,
		female: []string{"Margaret|Peggy", "Dorothy|Dot", "Patricia|Pat", "Barbara|Barb", "Linda", "Shirley", "Evelyn", "Gloria",
			"Janice", "Deborah|Debbie", "Denise", "Yvonne", "Rosemary", "Colleen", "Bridget", "Theresa|Terri", "Joanne", "Ruth",
			"Beverly|Bev", "Carol", "Judith|Judy", "Marlene", "Vivian", "Harriet", "Loretta", "Ingrid", "Mei-Ling", "Bernadette",
			"Gwendolyn|Gwen", "Frances|Fran"},
		youngFemale: []string{"Ashley", "Brittany", "Megan", "Sarah", "Rebecca|Becca", "Destiny", "Shanice", "Kayla", "Amber",
			"Courtney", "Jennifer|Jen", "Kimberly", "Tamika", "Keisha", "LaToya", "Naomi", "Anjali", "Soo-jin", "Jasmine",
			"Danielle|Dani", "Brianna", "Heather"},
		male: []string{"Robert|Bob", "William|Bill", "James|Jim", "Richard|Rick", "Donald|Don", "Gerald|Jerry", "Harold",
			"Walter", "Eugene|Gene", "Leonard|Len", "Curtis", "Darnell", "Terrence|Terry", "Dwayne", "Reginald|Reggie", "Patrick",
			"Frank", "Stanley|Stan", "Vernon", "Raymond|Ray", "Douglas|Doug", "Howard", "Lloyd", "Wesley", "Clarence", "Dale",
			"Kenneth|Ken", "Russell"},
		youngMale: []string{"Tyler", "Cody", "Jacob|Jake", "Ethan", "Nathan|Nate", "DeShawn", "Malik", "Travis", "Marcus",
			"Kevin", "Brian", "Sean", "Min-jun", "Arjun", "Tou", "Andre", "Brandon", "Justin", "Kyle", "Derek"},
		family: []string{"Thompson", "Johnson", "Williams", "Brown", "Jackson", "Harris", "Robinson", "Walker", "Wright", "Mitchell",
			"Campbell", "Carter", "Turner", "Phillips", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy",
			"O'Brien", "Sullivan", "Kowalski", "Nowak", "Schmidt", "Becker", "Lindqvist", "Johansson", "Olson", "Halvorsen",
			"Larsen", "Fitzgerald", "McCarthy", "Russo", "Bianchi", "Romano", "Kim", "Park", "Yang", "Vang", "Xiong", "Wong",
			"Gupta", "Sharma", "Iyer", "Washington", "Jefferson", "Freeman", "Banks", "Coleman", "Hayes", "Bishop", "Holloway",
			"Pruitt", "Crawford", "Dawson", "Fletcher", "Gallagher", "Kimura", "Tanaka", "Dela Cruz", "Bautista", "Begay",
			"Greene", "Hollis", "Okonkwo", "Adeyemi", "Boateng", "Mensah"}},
	{weight: 16, language: "Spanish", nonEnglish: 50,
		female: []string{"Guadalupe|Lupe", "Rosa", "Carmen", "Mariela", "Alejandra", "Lucía", "Esperanza", "Graciela", "Beatriz",
			"Marisol", "Leticia", "Adriana", "Consuelo", "Dolores|Lola", "Maribel", "Araceli", "Itzel", "Yesenia", "Socorro", "Xiomara"},
		male: []string{"José", "Luis", "Jorge", "Miguel", "Alejandro|Alex", "Francisco|Paco", "Ramón", "Héctor", "Rubén", "Arturo",
			"Ernesto", "Javier", "Raúl", "Emilio", "Fernando", "Rigoberto", "Efraín", "Joaquín", "Santiago", "Octavio"},
		family: []string{"García", "Hernández", "López", "Martínez", "Rodríguez", "González", "Pérez", "Sánchez", "Ramírez",
			"Flores", "Morales", "Castillo", "Ortiz", "Gutiérrez", "Vargas", "Mendoza", "Guerrero", "Delgado", "Herrera", "Medina",
			"Aguilar", "Rojas", "Salazar", "Contreras"}},
	{weight: 7, language: "Vietnamese", nonEnglish: 60,
		female: []string{"Lan", "Hoa", "Mai", "Linh", "Huong", "Thao", "Ngoc", "Trang", "Phuong", "Hanh"},
		male:   []string{"Minh", "Tuan", "Hung", "Duc", "Quang", "Thanh", "Long", "Bao", "Khanh", "Vinh"},
		family: []string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Huynh", "Vo", "Dang", "Bui", "Do", "Ngo", "Duong"}},
	{weight: 6, language: "Somali", nonEnglish: 65,
		female: []string{"Hodan", "Faadumo", "Ayaan", "Sahra", "Hawa", "Ifrah", "Ubah", "Nasra", "Deeqa", "Khadra"},
		male:   []string{"Abdirahman", "Mohamed", "Abdullahi", "Hassan", "Abdiwali", "Mahad", "Liban", "Guled", "Bashir", "Abdikarim"},
		family: []string{"Warsame", "Jama", "Abdi", "Hussein", "Farah", "Osman", "Ali", "Aden", "Egal", "Mohamud", "Dirie", "Nur",
			"Hirsi", "Samatar", "Yusuf", "Ismail"}},
	{weight: 6, language: "Russian", nonEnglish: 55, feminine: russianFeminine,
		female: []string{"Svetlana|Sveta", "Natalia|Natasha", "Olga", "Irina", "Tatiana|Tanya", "Lyudmila|Luda", "Galina",
			"Yelena|Lena", "Valentina|Valya", "Nadezhda|Nadia"},
		male: []string{"Sergei", "Dmitri|Dima", "Vladimir|Volodya", "Alexei", "Nikolai|Kolya", "Yuri", "Mikhail|Misha", "Boris",
			"Viktor", "Oleg"},
		family: []string{"Petrov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov", "Lebedev", "Kozlov", "Novikov", "Morozov",
			"Pavlov", "Orlov", "Belov", "Fedorov", "Zaitsev", "Kovalenko", "Shevchenko", "Bondarenko", "Baranov", "Gusev"}},
	{weight: 6, language: "Arabic", nonEnglish: 50,
		female: []string{"Fatima", "Layla", "Mariam", "Noor", "Amira", "Rania", "Huda", "Samira", "Yasmin", "Dalia"},
		male:   []string{"Omar", "Khalid", "Tariq", "Karim", "Samir", "Walid", "Nabil", "Ibrahim", "Mustafa", "Jamal"},
		family: []string{"Haddad", "Khoury", "Saleh", "Mansour", "Nasser", "Aziz", "Hamdan", "Qasim", "Darwish", "Shaheen",
			"Barakat", "Abboud", "Jaber", "Sabbagh", "Al-Masri", "Hijazi"}},
	{weight: 7, language: "Haitian Creole", nonEnglish: 55,
		female: []string{"Mirlande", "Guerline", "Nadège", "Fabiola", "Roseline", "Marie-Claude", "Widline", "Lourdes", "Yvrose", "Mireille"},
		male:   []string{"Jean-Claude", "Wilner", "Fritzner", "Jacques", "Emmanuel", "Yves", "Frantz", "Jocelyn", "Dieudonné", "Ernst"},
		family: []string{"Pierre", "Joseph", "Jean-Louis", "Baptiste", "Étienne", "Dorsainvil", "Célestin", "Toussaint", "Desrosiers",
			"Beauvais", "Augustin", "Saint-Fleur", "Jean-Baptiste", "Florestal", "Alcindor", "Métellus"}},
}

var streets = []string{"Maple Street", "Oak Avenue", "Lakeview Drive", "Pine Ridge Road", "Cedar Lane", "Elm Street",
	"Washington Avenue", "Hillcrest Drive", "Birch Court", "Willow Way", "Main Street", "Church Street", "Park Avenue",
	"Prospect Avenue", "Meadowbrook Lane", "Sycamore Drive", "Orchard Road", "Highland Avenue", "Grand Avenue",
	"Franklin Avenue", "Summit Street", "Chestnut Street", "Mill Road", "Spring Street"}

var bestTimes = []string{"Mornings", "Afternoons", "After 3 pm", "Weekdays before noon", "Evenings after 6", "Any time",
	"Not before 10 am", "Tuesdays and Thursdays"}

// referralReasons are written as a coordinator would note them, by tier.
var referralReasons = map[patients.RiskTier][]string{
	patients.High: {
		"Three ED visits in two months for COPD flare-ups. Ran out of inhalers twice and has no ride to pulmonology.",
		"Discharged after a heart failure admission, the second in 60 days. Weight not tracked at home; needs med reconciliation and a cardiology visit within 7 days.",
		"Uncontrolled diabetes (A1c 11.2), missed the last four primary care visits. Insulin cost is a problem.",
		"Fall with hip fracture, now home from rehab. Needs a home safety check, PT scheduling and a plan for medications.",
		"On dialysis three times a week and has missed sessions because rides keep falling through.",
		"Seen in the ED after an overdose. Agreed to be connected to treatment; phone service gets cut off often.",
		"New cancer diagnosis, chemo starts next month. Overwhelmed by appointments and has nobody to drive.",
		"Frequent ED visits for chest pain, workups negative. Anxiety and unstable housing; staying with a cousin for now.",
		"Stroke last spring, speech still affected. Family caregiver is exhausted and asking about respite.",
		"Admitted for sepsis from a foot wound. Needs wound care follow-up and help getting supplies covered.",
	},
	patients.Moderate: {
		"Takes 14 medications from three prescribers and is unsure which to stop. Needs a med review with PCP and pharmacist.",
		"Blood pressure high at every visit. Wants help setting up a home cuff and a pharmacy that delivers.",
		"Early memory loss; family worried about unpaid bills and missed appointments. Wants to plan ahead.",
		"Positive depression screen at the annual visit. Open to counselling but doesn't know where to start.",
		"Asthma with two urgent care visits this winter. Needs a spacer and an action plan in their own language.",
		"Lost Medicaid at renewal because the paperwork never arrived. Needs help reapplying and bridging prescriptions.",
		"Knee replacement four weeks ago; PT still not scheduled and no ride.",
		"Chronic back pain, between providers since the clinic closed. Needs a new PCP and a pain management referral.",
		"Diabetes with A1c 8.4 and rising. Would like nutrition support and help getting test strips covered.",
		"Heart failure, stable for now. Daily weights and an early warning plan would help.",
	},
	patients.Low: {
		"Wants help finding a primary care provider closer to home.",
		"Needs rides arranged for monthly eye clinic visits.",
		"Asked for help applying for energy assistance and a food shelf referral.",
		"Discharged from the programme last year and doing well; would like a check-in and a contact person.",
		"Interested in a falls prevention class and grab bars in the bathroom.",
		"Needs help comparing Part D plans and pharmacies before open enrollment closes.",
		"New to the area; looking for dental and vision providers that take their plan.",
		"Family asking about adult day programmes a few days a week.",
	},
}

type plan struct {
	payer  string
	prefix string // member id prefix
	plans  []string
}

var commercialPlans = []plan{
	{"Prairie Mutual Health", "PMH", []string{"Prairie Choice PPO", "Prairie Select HMO"}},
	{"Evergreen Benefit Plans", "EVB", []string{"Evergreen Silver 3500", "Evergreen Bronze 6000"}},
	{"Keystone Assurance", "KSA", []string{"Keystone Open Access", "Keystone High Deductible HSA"}},
}

type town struct{ name, zip string }

type practice struct {
	name, phone string
	clinicians  []string // "Dr. Full Name", or "Full Name, NP"
	geriatric   bool     // sees people of 65 and over only
}

type professional struct{ name, role, org, phone string }

// locale is where a demo tenant works: its (fictional) towns, clinics,
// hospitals and plans.
type locale struct {
	idPrefix          string // external ids, e.g. NH-100234
	idBase            int
	region            string
	areaCodes         []string
	towns             []town
	hospital          string
	emergency         string
	healthPlan        string
	medicaidPlans     []string
	medicareAdvantage plan
	practices         []practice
	specialists       []professional
	counsellors       []professional
	community         []professional
}

// phonesInUse are the clinics' and organisations' numbers, which no patient
// or relative may share.
func (l locale) phonesInUse() map[string]bool {
	taken := map[string]bool{}
	for _, p := range l.practices {
		taken[p.phone] = true
	}
	for _, ps := range [][]professional{l.specialists, l.counsellors, l.community} {
		for _, p := range ps {
			taken[p.phone] = true
		}
	}
	return taken
}

var locales = map[string]locale{
	"northside": {
		idPrefix: "NH", idBase: 100000, region: "MN", areaCodes: []string{"612", "763", "651"},
		towns: []town{{"Alder Falls", "55318"}, {"Harrow Lake", "55379"}, {"Kestrel Bay", "55110"}, {"North Haverly", "55432"},
			{"Pinecrest", "55337"}, {"Birchwood Lake", "55125"}},
		hospital: "Lakeview Hospital", emergency: "Kestrel Bay Medical Center", healthPlan: "Blue Lakes Community Plan",
		medicaidPlans:     []string{"Medical Assistance — Blue Lakes Community Plan", "Medical Assistance — Northstar Family Health"},
		medicareAdvantage: plan{"Northstar Health", "NSM", []string{"Northstar Medicare Advantage (HMO)", "Northstar Senior Choice (PPO)"}},
		practices: []practice{
			{"Lakeview Family Medicine", "(612) 555-0110", []string{"Dr. Helen Marsh", "Dr. Kwame Asante", "Rachel Lindgren, NP"}, false},
			{"Kestrel Bay Community Health Center", "(651) 555-0123", []string{"Dr. Farhan Qureshi", "Dr. Leah Sorensen", "Tobias Kruger, NP"}, false},
			{"Harrow Lake Family Practice", "(763) 555-0131", []string{"Dr. Greta Nyquist", "Dr. Samuel Okoro"}, false},
			{"Pinecrest Geriatrics", "(612) 555-0144", []string{"Dr. Miriam Abernathy"}, true},
			{"North Haverly Internal Medicine", "(763) 555-0158", []string{"Dr. Victor Engstrom", "Dr. Paula Szymanski"}, false},
		},
		specialists: []professional{
			{"Dr. Anita Rao", "Cardiologist", "Northside Heart & Vascular", "(612) 555-0162"},
			{"Dr. Peter Vogel", "Nephrologist", "Lakeview Kidney Care", "(612) 555-0171"},
			{"Dr. Chiara Ferrante", "Endocrinologist", "Northside Diabetes Center", "(651) 555-0176"},
			{"Dr. Owen Gustafson", "Pulmonologist", "Harrow Lake Lung Clinic", "(763) 555-0183"},
			{"Dr. Naledi Khumalo", "Oncologist", "Northside Cancer Institute", "(612) 555-0187"},
			{"Dr. Felix Brandt", "Neurologist", "North Haverly Neurology", "(763) 555-0192"},
		},
		counsellors: []professional{
			{"Erin Holt, LICSW", "Therapist", "Harrow Lake Counseling", "(763) 555-0104"},
			{"Dr. Simone Achterberg", "Psychiatrist", "Northside Behavioral Health", "(612) 555-0107"},
			{"Caleb Youngblood, LADC", "Substance use counsellor", "Kestrel Bay Recovery Services", "(651) 555-0115"},
		},
		community: []professional{
			{"Deb Kline", "Case worker", "Alder Falls Senior Center", "(763) 555-0119"},
			{"Joan Mattson", "Volunteer driver coordinator", "Kestrel Bay Ride Connect", "(651) 555-0126"},
			{"Luz Navarro", "Housing advocate", "Twin Pines Housing Coalition", "(612) 555-0138"},
			{"Tom Ridley", "Meals coordinator", "Northside Meals on Wheels", "(612) 555-0149"},
		},
	},
	"riverside": {
		idPrefix: "RC", idBase: 200000, region: "OH", areaCodes: []string{"513", "937"},
		towns: []town{{"Riverton Falls", "45011"}, {"Millbrook", "45040"}, {"Cedar Bend", "45069"}, {"Ashford Mills", "45150"},
			{"Glen Hollow", "45231"}, {"Lockport Landing", "45014"}},
		hospital: "Riverside Hospital", emergency: "Riverton General", healthPlan: "Valley Crest Health Plan",
		medicaidPlans:     []string{"Medicaid — Valley Crest Health Plan", "Medicaid — Riverbend Community Care"},
		medicareAdvantage: plan{"Valley Crest Health Plan", "VCM", []string{"Valley Crest Medicare Advantage (PPO)", "Valley Crest Dual Complete (HMO D-SNP)"}},
		practices: []practice{
			{"Millbrook Family Health", "(513) 555-0112", []string{"Dr. Andrew Kessler", "Dr. Folasade Adebayo", "Corinne Muller, NP"}, false},
			{"Riverton Primary Care Associates", "(937) 555-0124", []string{"Dr. Gregory Haines", "Dr. Ilse Hoffmann"}, false},
			{"Cedar Bend Community Health Center", "(513) 555-0133", []string{"Dr. Rafael Ocampo", "Dr. Beatrix Stone", "Dwight Carver, NP"}, false},
			{"Ashford Mills Internal Medicine", "(513) 555-0146", []string{"Dr. Sunil Mehta", "Dr. Claire Donnelly"}, false},
			{"Glen Hollow Family Practice", "(937) 555-0155", []string{"Dr. Martin Ebersole"}, false},
		},
		specialists: []professional{
			{"Dr. Yoon-hee Cho", "Cardiologist", "Riverside Heart Institute", "(513) 555-0161"},
			{"Dr. Kofi Appiah", "Nephrologist", "Riverton Kidney Associates", "(937) 555-0168"},
			{"Dr. Gail Summers", "Endocrinologist", "Riverside Diabetes & Endocrine", "(513) 555-0174"},
			{"Dr. Anders Lund", "Pulmonologist", "Millbrook Pulmonary", "(513) 555-0181"},
			{"Dr. Priscilla Okeke", "Oncologist", "Riverside Hospital Cancer Center", "(513) 555-0189"},
			{"Dr. Emil Varga", "Neurologist", "Ashford Mills Neurology", "(937) 555-0195"},
		},
		counsellors: []professional{
			{"Tasha Greer, LISW", "Therapist", "Cedar Bend Counseling", "(513) 555-0103"},
			{"Dr. Nikhil Bose", "Psychiatrist", "Riverside Behavioral Health", "(513) 555-0108"},
			{"Wade Pennington, LICDC", "Recovery counsellor", "Riverton Recovery Center", "(937) 555-0116"},
		},
		community: []professional{
			{"Loraine Fisk", "Case manager", "Ashford Mills Area Agency on Aging", "(513) 555-0121"},
			{"Gil Whitaker", "Ride coordinator", "Riverton Transit Assist", "(937) 555-0129"},
			{"Corazon Dizon", "Housing navigator", "Millbrook Housing Partnership", "(513) 555-0137"},
			{"Shonda Pryor", "Community health worker", "Cedar Bend Community Health Center", "(513) 555-0142"},
		},
	},
}
