package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"carecoord/internal/assessments"
	"carecoord/internal/referrals"

	"github.com/jackc/pgx/v5"
)

// A demo directory: forty community resources per tenant, written once as
// kinds of service and placed in each tenant's own towns, with names,
// streets, phone numbers and languages of their own. %[1]s is a town of the
// tenant, %[2]s the tenant's area name (Northside, Riverside).
type demoResource struct {
	name, services string
	domains        []assessments.Need
	hours          string
	eligibility    string
	languages      []string
	cost           string
	referBy        []string
	howToRefer     string
	email          bool
}

const (
	food, housing, transport, utilities, safety = assessments.NeedFood, assessments.NeedHousing, assessments.NeedTransportation, assessments.NeedUtilities, assessments.NeedSafety
	mental, medical, financial, isolation       = assessments.NeedMentalHealth, assessments.NeedMedical, assessments.NeedFinancial, assessments.NeedSocialIsolation
)

var demoResources = []demoResource{
	{"%[1]s Community Food Bank", "Emergency groceries once a week, fresh produce Saturdays, diapers and baby formula on request.",
		[]assessments.Need{food}, "Mon, Wed, Fri 10:00–16:00; Sat 9:00–12:00", "Anyone living in the county; bring any proof of address.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "walk_in"}, "Call the intake line or walk in; referrals are answered within two working days.", true},
	{"Mesa Abierta Food Pantry", "Bilingual food pantry with culturally familiar foods, home delivery for people who cannot travel.",
		[]assessments.Need{food}, "Tue and Thu 12:00–19:00", "Households below 200% of the federal poverty level.",
		[]string{"Spanish", "English"}, "free", []string{"phone", "email"}, "Email the referral with the household size and best time to call.", true},
	{"%[2]s Meals on Wheels", "Hot lunch delivered on weekdays, frozen meals for weekends, a friendly check-in with every delivery.",
		[]assessments.Need{food, isolation}, "Deliveries Mon–Fri 10:30–13:00", "Adults 60 and over, or younger adults with a disability who cannot shop or cook.",
		[]string{"English", "Russian"}, "sliding_scale", []string{"phone", "fax"}, "Fax the referral form; a nutrition assessor visits within a week.", false},
	{"Hooyo Community Kitchen", "Halal community meals and a halal food shelf run by Somali mothers; help applying for SNAP.",
		[]assessments.Need{food, financial}, "Daily 11:00–14:00", "Open to all.",
		[]string{"Somali", "Arabic", "English"}, "free", []string{"walk_in", "phone"}, "Walk in with the patient, or call to arrange a first visit.", false},
	{"%[1]s Senior Dining Club", "Shared lunches at the community center, with a social program afterwards.",
		[]assessments.Need{food, isolation}, "Mon–Fri 11:30–13:00", "Adults 60 and over; a suggested donation of $3.",
		[]string{"English"}, "low_cost", []string{"phone", "walk_in"}, "Call a day ahead to reserve a seat.", false},
	{"SNAP Outreach at %[2]s Legal Aid", "Help applying for SNAP and WIC, recertifications, and appeals of denied benefits.",
		[]assessments.Need{food, financial}, "Mon–Thu 9:00–17:00", "Low-income households.",
		[]string{"English", "Spanish", "Vietnamese"}, "free", []string{"phone", "online"}, "Use the online referral form; a benefits navigator calls within three days.", true},
	{"Harvest Table Mobile Market", "A market van with fresh produce at half price, parked at clinics and apartment buildings.",
		[]assessments.Need{food}, "See the weekly schedule; most stops Tue–Sat", "Open to all; EBT accepted and doubled up to $20.",
		[]string{"English", "Spanish"}, "low_cost", []string{"online"}, "Give the patient the schedule; no referral needed.", false},
	{"%[1]s Emergency Shelter", "Overnight shelter for single adults, with meals, showers and a case manager.",
		[]assessments.Need{housing, safety}, "Check-in daily 17:00–21:00", "Adults 18 and over without a safe place to stay tonight.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "walk_in"}, "Call the shelter line before 16:00 to hold a bed.", false},
	{"%[2]s Housing Coalition", "Housing navigation, rental applications, landlord mediation and help with deposits.",
		[]assessments.Need{housing, financial}, "Mon–Fri 8:30–17:00", "Households at risk of losing their home or without one.",
		[]string{"English", "Spanish", "Somali"}, "free", []string{"phone", "email", "fax"}, "Send the referral with the patient's housing situation and any eviction notice date.", true},
	{"Safe Haven Family Shelter", "Emergency shelter for families with children, and rapid rehousing.",
		[]assessments.Need{housing, safety}, "Intake 24 hours a day", "Families with children under 18.",
		[]string{"English", "Spanish", "Arabic"}, "free", []string{"phone"}, "Call the 24-hour intake line with the family present.", false},
	{"Tenant Rights Project", "Free legal advice and representation for renters facing eviction or unsafe conditions.",
		[]assessments.Need{housing, financial}, "Mon–Fri 9:00–16:00; eviction clinic Wednesdays", "Renters with household income under 250% of poverty.",
		[]string{"English", "Spanish", "Vietnamese", "Russian"}, "free", []string{"phone", "online"}, "Refer online; urgent eviction hearings are called back the same day.", true},
	{"%[1]s Home Repair Volunteers", "Small repairs, ramps and grab bars so that older adults can stay safely at home.",
		[]assessments.Need{housing, safety}, "Requests Mon–Fri 9:00–15:00; repairs scheduled within six weeks", "Homeowners 60 and over or with a disability.",
		[]string{"English"}, "free", []string{"phone", "email"}, "Email the referral with the repairs needed and photos if the patient agrees.", true},
	{"Pathways Supportive Housing", "Permanent supportive housing with on-site case management for people leaving homelessness.",
		[]assessments.Need{housing, mental}, "Mon–Fri 9:00–17:00", "Adults with a disabling condition who have been homeless for a year or more.",
		[]string{"English"}, "free", []string{"fax", "email"}, "Referral through the coordinated entry assessment; fax the assessment with the referral.", true},
	{"%[2]s Ride Connect", "Volunteer drivers to medical appointments, pharmacies and grocery stores.",
		[]assessments.Need{transport, isolation}, "Rides Mon–Fri 7:00–18:00; book two working days ahead", "Adults 60 and over and people with a disability.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "online"}, "Book online or by phone with the appointment's address and time.", true},
	{"Medical Assistance Ride Line", "Non-emergency medical transportation for Medicaid members, including wheelchair vans.",
		[]assessments.Need{transport, medical}, "Booking Mon–Fri 7:00–19:00", "Medicaid members with a covered appointment.",
		[]string{"English", "Spanish", "Somali", "Vietnamese", "Russian", "Arabic"}, "insurance", []string{"phone"}, "The patient or coordinator calls with the member id at least three days ahead.", false},
	{"%[1]s Dial-a-Ride", "Shared door-to-door minibus within town limits.",
		[]assessments.Need{transport}, "Mon–Sat 6:30–19:00", "Residents who cannot use the fixed-route bus.",
		[]string{"English"}, "low_cost", []string{"phone", "online"}, "Apply once for eligibility; then book rides a day ahead.", false},
	{"Bus Pass Assistance Program", "Reduced-fare and free monthly bus passes.",
		[]assessments.Need{transport, financial}, "Mon–Fri 9:00–16:00", "Low-income adults; proof of income needed.",
		[]string{"English", "Spanish"}, "free", []string{"walk_in", "online"}, "The patient applies online or at the transit office with proof of income.", false},
	{"Energy Assistance Program", "Help paying heating and electric bills, emergency fuel deliveries and furnace repair.",
		[]assessments.Need{utilities, financial}, "Mon–Fri 8:00–16:30", "Households under 60% of state median income.",
		[]string{"English", "Spanish", "Somali", "Vietnamese"}, "free", []string{"phone", "fax", "online"}, "Apply online or fax the application; shut-off notices are handled within 48 hours.", true},
	{"%[2]s Water Bill Relief", "One-time help with overdue water and sewer bills, and payment plans.",
		[]assessments.Need{utilities}, "Mon–Fri 9:00–15:00", "Residential customers with an overdue bill.",
		[]string{"English"}, "free", []string{"phone"}, "The patient calls with their account number.", false},
	{"Weatherization Assistance", "Free insulation, window repair and furnace checks that lower energy bills.",
		[]assessments.Need{utilities, housing}, "Appointments Mon–Fri", "Homeowners and renters eligible for energy assistance.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "online"}, "Refer after an energy assistance application is approved.", false},
	{"Phone Lifeline Enrollment", "Discounted phone and internet service, and free phones for eligible people.",
		[]assessments.Need{utilities, isolation}, "Mon–Sat 9:00–18:00", "People receiving SNAP, Medicaid, SSI or similar benefits.",
		[]string{"English", "Spanish", "Vietnamese"}, "free", []string{"online", "walk_in"}, "Help the patient apply online with a benefits letter.", false},
	{"%[2]s Domestic Abuse Project", "Crisis line, safety planning, emergency shelter and legal advocacy.",
		[]assessments.Need{safety, housing}, "Crisis line 24 hours; office Mon–Fri 9:00–17:00", "Anyone experiencing abuse.",
		[]string{"English", "Spanish", "Somali", "Arabic"}, "free", []string{"phone"}, "Give the patient the crisis line; call together if it is safe to do so.", false},
	{"Elder Abuse Response Line", "Reports and investigations of abuse, neglect and financial exploitation of vulnerable adults.",
		[]assessments.Need{safety}, "24 hours", "Adults 18 and over who are vulnerable.",
		[]string{"English"}, "free", []string{"phone", "online"}, "Report by phone or online; mandated reporters report within 24 hours.", false},
	{"%[1]s Crisis Stabilization Center", "Walk-in mental health crisis care, short stays and mobile crisis teams.",
		[]assessments.Need{mental, safety}, "24 hours", "Anyone in a mental health crisis.",
		[]string{"English", "Spanish"}, "insurance", []string{"phone", "walk_in"}, "Call the crisis line or walk in; no referral needed in a crisis.", false},
	{"Open Door Counseling", "Individual and family therapy, grief groups and counselling for depression and anxiety.",
		[]assessments.Need{mental}, "Mon–Thu 8:00–20:00; Fri 8:00–17:00", "Adults and teens; most insurance and a sliding scale.",
		[]string{"English", "Spanish", "Vietnamese"}, "sliding_scale", []string{"phone", "fax", "email"}, "Fax or email the referral with the reason and the PHQ-9 score if the patient agrees.", true},
	{"Peer Recovery Network", "Peer support specialists and recovery groups for substance use.",
		[]assessments.Need{mental, isolation}, "Groups daily 18:00; drop-in Mon–Fri 10:00–16:00", "Adults in or seeking recovery.",
		[]string{"English"}, "free", []string{"walk_in", "phone"}, "The patient can drop in; a warm hand-off call is welcome.", false},
	{"Somali Family Wellness Center", "Counselling in Somali and Arabic, family support and help understanding the health system.",
		[]assessments.Need{mental, isolation}, "Mon–Fri 9:00–18:00", "Somali and Arabic-speaking families.",
		[]string{"Somali", "Arabic", "English"}, "free", []string{"phone", "email"}, "Call or email; a worker of the same language calls the patient.", true},
	{"%[1]s Free Clinic", "Primary care, chronic disease visits and low-cost prescriptions for people without insurance.",
		[]assessments.Need{medical}, "Tue and Thu evenings 17:00–21:00", "Uninsured adults.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "walk_in"}, "Call on Monday to book one of the week's appointments.", false},
	{"Community Dental Care", "Cleanings, fillings, extractions and dentures on a sliding fee.",
		[]assessments.Need{medical}, "Mon–Fri 8:00–17:00", "Medicaid members and uninsured adults.",
		[]string{"English", "Spanish", "Vietnamese"}, "sliding_scale", []string{"phone", "fax"}, "Fax the referral; the clinic calls the patient to book.", false},
	{"Prescription Assistance Program", "Help enrolling in drug makers' assistance programs and discount cards.",
		[]assessments.Need{medical, financial}, "Mon–Fri 9:00–16:00", "People who cannot afford their prescriptions.",
		[]string{"English"}, "free", []string{"fax", "email"}, "Email the list of medicines and the patient's income.", true},
	{"Vision Access Program", "Eye exams and glasses for adults who cannot afford them.",
		[]assessments.Need{medical}, "By appointment", "Adults under 200% of poverty without vision coverage.",
		[]string{"English", "Spanish"}, "free", []string{"online"}, "Refer online; vouchers are mailed to the patient.", false},
	{"%[2]s Financial Coaching", "Free one-to-one coaching on budgets, debt and credit repair.",
		[]assessments.Need{financial}, "Mon–Thu 10:00–19:00", "Anyone in the county.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "email", "online"}, "Email or refer online; the first session can be by phone.", true},
	{"Free Tax Preparation (VITA)", "Free tax returns and help claiming tax credits.",
		[]assessments.Need{financial}, "Jan–Apr: Mon–Sat; rest of year by appointment", "Households earning under $67,000.",
		[]string{"English", "Spanish", "Vietnamese"}, "free", []string{"phone", "walk_in"}, "The patient books a slot by phone and brings their documents.", false},
	{"Benefits Check-Up Clinic", "Screening for every benefit a person may qualify for, and help applying.",
		[]assessments.Need{financial, food, utilities}, "Wed 9:00–15:00", "Adults 55 and over and people with a disability.",
		[]string{"English", "Russian"}, "free", []string{"phone"}, "Call to book a clinic slot.", false},
	{"%[1]s Senior Center", "Classes, exercise, card games, lunch and outings for older adults.",
		[]assessments.Need{isolation}, "Mon–Fri 8:00–16:00", "Adults 55 and over.",
		[]string{"English"}, "free", []string{"walk_in", "phone"}, "The patient can walk in; a volunteer greeter shows them around.", false},
	{"Friendly Voices Telephone Reassurance", "A volunteer who calls every day or every week for a chat and a check-in.",
		[]assessments.Need{isolation}, "Calls daily 9:00–17:00", "Adults who live alone.",
		[]string{"English", "Spanish", "Russian"}, "free", []string{"phone", "email"}, "Email the referral with the best time to call and the patient's interests.", true},
	{"Caregiver Support Network", "Respite care, support groups and training for family caregivers.",
		[]assessments.Need{isolation, mental}, "Mon–Fri 9:00–17:00; groups Tue evenings", "Unpaid caregivers of an adult.",
		[]string{"English", "Spanish"}, "free", []string{"phone", "online"}, "Refer online or call with the caregiver's details.", false},
	{"New Neighbors Welcome Center", "Help for newcomers and refugees: English classes, interpreting, community navigation.",
		[]assessments.Need{isolation, financial}, "Mon–Fri 9:00–17:00", "Immigrants and refugees.",
		[]string{"Arabic", "Somali", "Vietnamese", "Spanish", "Russian", "English"}, "free", []string{"phone", "walk_in", "email"}, "Call or email; an interpreter joins the first meeting.", true},
	{"%[1]s Public Library Outreach", "Books by mail, digital skills help and weekly conversation circles.",
		[]assessments.Need{isolation}, "Library hours; home delivery Thursdays", "Residents with a library card (free).",
		[]string{"English", "Spanish"}, "free", []string{"phone", "walk_in"}, "The patient calls to sign up for home delivery.", false},
	{"Home Health Partners", "Skilled nursing, physical therapy and home health aides after a hospital stay.",
		[]assessments.Need{medical, safety}, "Mon–Sun 8:00–20:00", "A physician's order; most insurance.",
		[]string{"English", "Spanish"}, "insurance", []string{"fax", "phone"}, "Fax the physician's order and the insurance details.", false},
}

// demoStreets are street names for resource addresses.
var demoStreets = []string{"Main Street", "Lake Avenue", "Elm Street", "Cedar Road", "Oak Street", "Park Avenue",
	"Mill Road", "Church Street", "River Road", "Maple Avenue", "Center Street", "Washington Avenue", "Pine Street",
	"Spring Street", "Bridge Street", "Hillcrest Drive"}

// loadResources fills the tenant's directory. The tenant must be bound to
// the transaction.
func loadResources(ctx context.Context, tx pgx.Tx, t seededTenant, slug string) error {
	loc := locales[slug]
	area := strings.ToUpper(slug[:1]) + slug[1:]
	taken := loc.phonesInUse()
	rows, _ := tx.Query(ctx, `select phone from patients where tenant_id = $1 union select phone from care_team_members where tenant_id = $1`, t.ID)
	used, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, p := range used {
		taken[p] = true
	}
	number := 0
	phone := func(i int) string {
		for {
			area := loc.areaCodes[(i+number)%len(loc.areaCodes)]
			p := fmt.Sprintf("(%s) 555-%04d", area, 100+number%100)
			number++
			if !taken[p] {
				taken[p] = true
				return p
			}
		}
	}
	for i, d := range demoResources {
		town := loc.towns[i%len(loc.towns)]
		name := d.name
		if strings.Contains(name, "%[") {
			// Explicit argument indexes: a name may use either argument.
			name = fmt.Sprintf(name, town.name, area)
		}
		slugged := strings.ToLower(strings.NewReplacer(" ", "", "'", "", "(", "", ")", "", "-", "").Replace(name))
		r := referrals.Resource{
			Name: name, Services: d.services, Domains: d.domains,
			AddressLine: fmt.Sprintf("%d %s", 100+(i*137)%2800, demoStreets[i%len(demoStreets)]),
			City:        town.name, Region: loc.region, PostalCode: town.zip,
			Phone: phone(i), Website: "https://" + slugged + ".example.org", Hours: d.hours, Eligibility: d.eligibility,
			Languages: d.languages, Cost: d.cost, ReferBy: d.referBy, HowToRefer: d.howToRefer,
		}
		if d.email {
			r.Email = "referrals@" + slugged + ".example.org"
		}
		if slices.Contains(d.referBy, "fax") {
			r.Fax = phone(i + 1)
		}
		if _, err := referrals.InsertResource(ctx, tx, t.ID, r); err != nil {
			return fmt.Errorf("resource %s: %w", name, err)
		}
	}
	return nil
}
