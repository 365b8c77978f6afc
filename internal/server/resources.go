package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/calendar"
	"carecoord/internal/careplans"
	"carecoord/internal/fail"
	"carecoord/internal/forms"
	"carecoord/internal/referrals"
	"carecoord/web"

	"github.com/a-h/templ"
)

// The resource directory (issue 10). Everyone in the tenant reads it;
// supervisors and tenant admins maintain it, every change audited. The
// directory itself holds no patient data, which is why admins may reach
// it: what it says about referrals (how they went, which of your patients
// went where) is read only for people who work with patients, so an admin
// sees the entries and nothing else.

// directoryView is a search of the directory and its results. filtered
// says the person asked for something (the page offers to clear it); keep
// are values the search form carries along; referHref, when set, gives
// each result its button.
func directoryView(r *http.Request, d referrals.Directory, filtered bool, action string, keep []web.Hidden, referHref func(string) string) web.DirectoryView {
	f := d.Filter
	v := web.DirectoryView{Action: action, Keep: keep, Archived: f.Archived, CanSeeArchived: d.CanSeeArchived, More: d.More,
		Filtered: filtered}
	if f.Text != nil {
		v.Text = *f.Text
	}
	if f.Domain != nil {
		v.Domain = string(*f.Domain)
	}
	if f.Language != nil {
		v.Language = *f.Language
	}
	for _, dm := range careplans.Domains {
		v.Domains = append(v.Domains, web.SelectOption{Value: string(dm), Label: careplans.DomainLabel(dm)})
	}
	for _, l := range d.Languages {
		v.Languages = append(v.Languages, web.SelectOption{Value: l, Label: l})
	}
	if v.Language != "" && !slices.Contains(d.Languages, v.Language) {
		v.Languages = append(v.Languages, web.SelectOption{Value: v.Language, Label: v.Language})
	}
	for _, found := range d.Found {
		c := resourceCard(r, found.Resource, v.Language)
		if d.Records {
			c.Record = recordText(found.Record)
		}
		for _, e := range found.Earlier {
			c.Earlier = append(c.Earlier, referralLine(e, zone(r)))
		}
		if referHref != nil {
			c.ReferHref = referHref(found.ID)
		}
		v.Results = append(v.Results, c)
	}
	return v
}

func resourceCard(r *http.Request, res referrals.Resource, language string) web.ResourceCard {
	c := web.ResourceCard{
		ID: res.ID, Name: res.Name, Href: tenantPath(r, "/resources/"+res.ID), Services: res.Services,
		Address: res.Address(), Phone: res.Phone, Hours: res.Hours, Languages: strings.Join(res.Languages, ", "),
		Cost: referrals.Costs.Label(res.Cost), Archived: !res.Active,
		SpeaksLanguage: language != "" && res.Speaks(language),
	}
	for _, d := range res.Domains {
		c.Domains = append(c.Domains, careplans.DomainLabel(d))
	}
	return c
}

// recordText says how referrals to a resource went, in a line.
func recordText(rec referrals.Record) string {
	switch {
	case rec.Sent == 0:
		return "No referrals yet."
	case rec.Ended == 0:
		return "Referred " + times(rec.Sent) + "; none has ended yet."
	}
	return "Referred " + times(rec.Sent) + " · " + strconv.Itoa(rec.Succeeded) + " of " + strconv.Itoa(rec.Ended) +
		" ended referrals met the need (fully or partly)."
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return strconv.Itoa(n) + " times"
}

// referralLine is a referral in a line: when, and where it stands.
func referralLine(e referrals.Referral, loc *time.Location) string {
	s := "referred " + e.CreatedAt.In(loc).Format(calendar.Day) + " · " + e.Status.Label()
	if e.Outcome != "" {
		s += ", " + strings.ToLower(e.Outcome.Label())
	}
	return s
}

func (s *Server) resourceList(w http.ResponseWriter, r *http.Request) error {
	a, f := s.actor(r), referrals.ParseFilter(r.URL.Query())
	d, err := s.referrals.Directory(r.Context(), a, f)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, web.ResourceListPage(web.ResourceListView{
		Shell: s.shell(r), CanMaintain: a.Role.MaintainsDirectory(), NewHref: tenantPath(r, "/resources/new"),
		Directory: directoryView(r, d, f.Given(), tenantPath(r, "/resources"), nil, nil),
	}))
}

func (s *Server) showResource(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "resourceID")
	a := s.actor(r)
	p, err := s.referrals.ResourcePage(r.Context(), a, id)
	if err != nil {
		return err
	}
	v := web.ResourceView{
		Shell: s.shell(r), ListHref: tenantPath(r, "/resources"), CanMaintain: a.Role.MaintainsDirectory(),
		EditHref: tenantPath(r, "/resources/"+id+"/edit"), ArchiveAction: tenantPath(r, "/resources/"+id+"/active"),
		ShowPatients: p.Records, Card: resourceCard(r, p.Resource, ""), Version: p.Resource.Version, Facts: resourceFacts(p.Resource),
	}
	if p.Records {
		v.Card.Record = recordText(p.Record)
	}
	for _, o := range p.Mine {
		v.Patients = append(v.Patients, web.ResourceReferralRow{
			PatientName: o.PatientName, Href: patientPath(r, o.PatientID) + "/referrals/" + o.ID,
			Status: referralBadge(o.Status), When: referralLine(o.Referral, zone(r)),
		})
	}
	return render(w, r, http.StatusOK, web.ResourcePage(v))
}

func resourceFacts(res referrals.Resource) []web.ChartFact {
	var by []string
	for _, m := range res.ReferBy {
		by = append(by, referrals.ReferMethods.Label(m))
	}
	return facts(
		"Address", res.Address(), "Phone", res.Phone, "Fax", res.Fax, "Email", res.Email, "Website", res.Website,
		"Hours", res.Hours, "Languages", strings.Join(res.Languages, ", "), "Who is eligible", res.Eligibility,
		"Cost", referrals.Costs.Label(res.Cost), "Referrals by", strings.Join(by, ", "),
		"How to refer", res.HowToRefer,
	)
}

// resourceForm is the form page for f, posted to action, with e's
// messages when it comes back.
func (s *Server) resourceForm(r *http.Request, title, action string, f referrals.ResourceForm, e *fail.Error) templ.Component {
	v := web.ResourceFormView{
		Shell: s.shell(r), Title: title, Action: action, CancelHref: action, Version: f.Version,
		Name: f.Name, Services: f.Services, AddressLine: f.AddressLine, City: f.City, Region: f.Region,
		PostalCode: f.PostalCode, Phone: f.Phone, Fax: f.Fax, Email: f.Email, Website: f.Website, Hours: f.Hours,
		Eligibility: f.Eligibility, Languages: f.Languages, Cost: f.Cost, HowToRefer: f.HowToRefer,
		Costs: web.OptionsOf(referrals.Costs),
	}
	for _, d := range careplans.Domains {
		v.Domains = append(v.Domains, web.CheckOption{Value: string(d), Label: careplans.DomainLabel(d), Checked: slices.Contains(f.Domains, string(d))})
	}
	for _, o := range referrals.ReferMethods {
		v.ReferBy = append(v.ReferBy, web.CheckOption{Value: o.Value, Label: o.Label, Checked: slices.Contains(f.ReferBy, o.Value)})
	}
	if e != nil {
		v.Problem, v.Errors = e.Message, e.Fields
	}
	return web.ResourceFormPage(v)
}

func (s *Server) newResourceForm(w http.ResponseWriter, r *http.Request) error {
	return render(w, r, http.StatusOK, s.resourceForm(r, "Add a resource", tenantPath(r, "/resources"), referrals.ResourceForm{Cost: "free"}, nil))
}

func (s *Server) createResource(w http.ResponseWriter, r *http.Request) error {
	f := referrals.ParseResourceForm(r.PostForm)
	res, err := s.referrals.CreateResource(r.Context(), s.actor(r), f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.resourceForm(r, "Add a resource", tenantPath(r, "/resources"), f, e), nil
		})
	}
	return s.redirectWith(w, r, tenantPath(r, "/resources/"+res.ID), "Added "+res.Name+" to the directory.")
}

func (s *Server) editResourceForm(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "resourceID")
	res, err := s.referrals.Resource(r.Context(), s.actor(r), id)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, s.resourceForm(r, "Edit "+res.Name, tenantPath(r, "/resources/"+id), referrals.FormOf(res), nil))
}

func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "resourceID")
	f, base := referrals.ParseResourceForm(r.PostForm), tenantPath(r, "/resources/"+id)
	res, err := s.referrals.UpdateResource(r.Context(), s.actor(r), id, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			return s.resourceForm(r, "Edit "+f.Name, base, f, e), nil
		})
	}
	return s.redirectWith(w, r, base, "Saved "+res.Name+".")
}

// setResourceActive archives a resource or brings it back.
func (s *Server) setResourceActive(w http.ResponseWriter, r *http.Request) error {
	id := urlID(r, "resourceID")
	active, base := r.PostForm.Get("active") == "yes", tenantPath(r, "/resources/"+id)
	if err := s.referrals.SetResourceActive(r.Context(), s.actor(r), id, forms.Version(r.PostForm.Get("version")), active); err != nil {
		return s.flashFailure(w, r, err, base)
	}
	if active {
		return s.redirectWith(w, r, base, "The resource is back in the directory.")
	}
	return s.redirectWith(w, r, base, "The resource is archived: it is no longer offered, and its referrals stay readable.")
}

// referralTone is how each status of a referral stands out; the others
// are "info".
var referralTone = map[referrals.Status]string{
	referrals.Draft: "muted", referrals.Cancelled: "muted", referrals.Completed: "ok", referrals.Declined: "warn", referrals.NoResponse: "warn",
}

// referralBadge is a referral's status with its tone.
func referralBadge(st referrals.Status) web.ChartBadge {
	return web.ChartBadge{Label: st.Label(), Tone: orText(referralTone[st], "info")}
}

// ageText is how long something has been waiting, in days.
func ageText(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	switch days {
	case 0:
		return "today"
	case 1:
		return "1 day"
	}
	return strconv.Itoa(days) + " days"
}
