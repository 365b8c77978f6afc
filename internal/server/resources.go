package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"carecoord/internal/assessments"
	"carecoord/internal/careplans"
	"carecoord/internal/db"
	"carecoord/internal/forms"
	"carecoord/internal/referrals"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// The resource directory (issue 10). Everyone in the tenant reads it;
// supervisors and tenant admins maintain it, every change audited. The
// directory itself holds no patient data, which is why admins may reach
// it: what it says about referrals (how they went, which of your patients
// went where) is read only for people who work with patients, so an admin
// sees the entries and nothing else.

// directoryQuery reads the search from a URL. Values that are not offered
// (an unknown domain) are ignored: a search never fails.
func directoryQuery(q url.Values) (web.DirectoryView, referrals.Filter) {
	v := web.DirectoryView{
		Text: strings.TrimSpace(q.Get("q")), Domain: q.Get("domain"), Language: strings.TrimSpace(q.Get("language")),
		Archived: q.Get("archived") == "yes",
	}
	if len([]rune(v.Text)) > 200 {
		v.Text = string([]rune(v.Text)[:200])
	}
	var f referrals.Filter
	if v.Text != "" {
		f.Text = &v.Text
	}
	if d := assessments.Need(v.Domain); slices.Contains(careplans.Domains, d) {
		f.Domain = &d
	} else {
		v.Domain = ""
	}
	if v.Language != "" {
		f.Language = &v.Language
	}
	v.Filtered = f.Text != nil || f.Domain != nil || f.Language != nil || v.Archived
	return v, f
}

// fillDirectory runs the search of v and fills its choices and results.
// patientID, when set, is the patient being referred: their earlier
// referrals to each resource are shown, and referHref gives each result
// its button.
func fillDirectory(r *http.Request, tx pgx.Tx, v *web.DirectoryView, f referrals.Filter, patientID string, referHref func(string) string) error {
	m, _ := currentMembership(r)
	ctx, tenantID := r.Context(), m.Tenant.ID
	v.CanSeeArchived = m.Role.MaintainsDirectory() && patientID == ""
	f.Archived = v.Archived && v.CanSeeArchived
	for _, d := range careplans.Domains {
		v.Domains = append(v.Domains, web.SelectOption{Value: string(d), Label: careplans.DomainLabel(d)})
	}
	langs, err := referrals.Languages(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	for _, l := range langs {
		v.Languages = append(v.Languages, web.SelectOption{Value: l, Label: l})
	}
	if v.Language != "" && !slices.Contains(langs, v.Language) {
		v.Languages = append(v.Languages, web.SelectOption{Value: v.Language, Label: v.Language})
	}
	found, more, err := referrals.Search(ctx, tx, tenantID, f)
	if err != nil {
		return err
	}
	v.More = more
	records := map[string]referrals.Record{}
	earlier := map[string][]referrals.Referral{}
	// Referral records are patient work: never read for an admin.
	if m.Role.WorksWithPatients() {
		ids := make([]string, len(found))
		for i, res := range found {
			ids[i] = res.ID
		}
		if records, err = referrals.Records(ctx, tx, tenantID, ids); err != nil {
			return err
		}
		if patientID != "" {
			if earlier, err = referrals.PatientHistory(ctx, tx, tenantID, patientID); err != nil {
				return err
			}
		}
	}
	for _, res := range found {
		c := resourceCard(r, res, v.Language)
		if m.Role.WorksWithPatients() {
			c.Record = recordText(records[res.ID])
		}
		for _, e := range earlier[res.ID] {
			c.Earlier = append(c.Earlier, referralLine(e))
		}
		if referHref != nil {
			c.ReferHref = referHref(res.ID)
		}
		v.Results = append(v.Results, c)
	}
	return nil
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
func referralLine(e referrals.Referral) string {
	s := "referred " + longDate(e.CreatedAt.Local()) + " · " + e.Status.Label()
	if e.Outcome != "" {
		s += ", " + strings.ToLower(referrals.Outcomes.Label(string(e.Outcome)))
	}
	return s
}

func (s *Server) resourceList(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	dir, f := directoryQuery(r.URL.Query())
	dir.Action = tenantPath(r, "/resources")
	v := web.ResourceListView{Shell: s.shell(r), CanMaintain: m.Role.MaintainsDirectory(), NewHref: tenantPath(r, "/resources/new")}
	err := s.inTenant(r, func(tx pgx.Tx) error {
		return fillDirectory(r, tx, &dir, f, "", nil)
	})
	if err != nil {
		return err
	}
	v.Directory = dir
	return render(w, r, http.StatusOK, web.ResourceListPage(v))
}

func (s *Server) showResource(w http.ResponseWriter, r *http.Request) error {
	id, err := uuidParam(r, "resourceID")
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	u, _ := currentUser(r)
	v := web.ResourceView{
		Shell: s.shell(r), ListHref: tenantPath(r, "/resources"), CanMaintain: m.Role.MaintainsDirectory(),
		EditHref: tenantPath(r, "/resources/"+id+"/edit"), ArchiveAction: tenantPath(r, "/resources/"+id+"/active"),
		ShowPatients: m.Role.WorksWithPatients(),
	}
	err = s.inTenant(r, func(tx pgx.Tx) error {
		res, err := referrals.GetResource(r.Context(), tx, m.Tenant.ID, id)
		if err != nil {
			return err
		}
		v.Card, v.Version, v.Facts = resourceCard(r, res, ""), res.Version, resourceFacts(res)
		if !v.ShowPatients {
			return nil
		}
		records, err := referrals.Records(r.Context(), tx, m.Tenant.ID, []string{id})
		if err != nil {
			return err
		}
		v.Card.Record = recordText(records[id])
		mine, err := referrals.ToResourceForCoordinator(r.Context(), tx, m.Tenant.ID, id, u.ID)
		for _, o := range mine {
			v.Patients = append(v.Patients, web.ResourceReferralRow{
				PatientName: o.PatientName, Href: patientPath(r, o.PatientID) + "/referrals/" + o.ID,
				Status: referralBadge(o.Status), When: referralLine(o.Referral),
			})
		}
		return err
	})
	if err != nil {
		return err
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

// resourceForm is the form page for f.
func (s *Server) resourceForm(r *http.Request, title, action, cancel string, version int, f referrals.ResourceForm, errs referrals.Errors) web.ResourceFormView {
	v := web.ResourceFormView{
		Shell: s.shell(r), Title: title, Action: action, CancelHref: cancel, Version: version,
		Name: f.Name, Services: f.Services, AddressLine: f.AddressLine, City: f.City, Region: f.Region,
		PostalCode: f.PostalCode, Phone: f.Phone, Fax: f.Fax, Email: f.Email, Website: f.Website, Hours: f.Hours,
		Eligibility: f.Eligibility, Languages: f.Languages, Cost: f.Cost, HowToRefer: f.HowToRefer, Errors: errs,
	}
	for _, d := range careplans.Domains {
		v.Domains = append(v.Domains, web.CheckOption{Value: string(d), Label: careplans.DomainLabel(d), Checked: slices.Contains(f.Domains, string(d))})
	}
	for _, o := range referrals.Costs {
		v.Costs = append(v.Costs, web.SelectOption{Value: o.Value, Label: o.Label})
	}
	for _, o := range referrals.ReferMethods {
		v.ReferBy = append(v.ReferBy, web.CheckOption{Value: o.Value, Label: o.Label, Checked: slices.Contains(f.ReferBy, o.Value)})
	}
	if len(errs) > 0 {
		v.Problem = "Some answers need another look. They are marked below; nothing was saved yet."
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	return v
}

func (s *Server) newResourceForm(w http.ResponseWriter, r *http.Request) error {
	f := referrals.ResourceForm{Cost: "free"}
	return render(w, r, http.StatusOK, web.ResourceFormPage(s.resourceForm(r, "Add a resource", tenantPath(r, "/resources"),
		tenantPath(r, "/resources"), 0, f, nil)))
}

func (s *Server) createResource(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	m, _ := currentMembership(r)
	f := referrals.ParseResourceForm(r.PostForm)
	errs := referrals.Errors{}
	res := f.Validate(errs)
	if len(errs) > 0 {
		return render(w, r, http.StatusUnprocessableEntity, web.ResourceFormPage(s.resourceForm(r, "Add a resource",
			tenantPath(r, "/resources"), tenantPath(r, "/resources"), 0, f, errs)))
	}
	var id string
	err := s.inTenant(r, func(tx pgx.Tx) (err error) {
		if id, err = referrals.CreateResource(r.Context(), tx, m.Tenant.ID, res); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "resource.created", entityType: "resource", entityID: id})
	})
	if err != nil {
		return err
	}
	s.flash(r, "Added "+res.Name+" to the directory.")
	return redirect(w, r, tenantPath(r, "/resources/"+id))
}

func (s *Server) editResourceForm(w http.ResponseWriter, r *http.Request) error {
	id, err := uuidParam(r, "resourceID")
	if err != nil {
		return err
	}
	m, _ := currentMembership(r)
	var res referrals.Resource
	err = s.inTenant(r, func(tx pgx.Tx) (err error) {
		res, err = referrals.GetResource(r.Context(), tx, m.Tenant.ID, id)
		return err
	})
	if err != nil {
		return err
	}
	base := tenantPath(r, "/resources/"+id)
	return render(w, r, http.StatusOK, web.ResourceFormPage(s.resourceForm(r, "Edit "+res.Name, base, base, res.Version,
		referrals.FormOf(res), nil)))
}

func (s *Server) updateResource(w http.ResponseWriter, r *http.Request) error {
	id, err := uuidParam(r, "resourceID")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	m, _ := currentMembership(r)
	version := forms.Version(r.PostForm.Get("version"))
	f := referrals.ParseResourceForm(r.PostForm)
	errs := referrals.Errors{}
	res := f.Validate(errs)
	base := tenantPath(r, "/resources/"+id)
	err = s.inTenant(r, func(tx pgx.Tx) error {
		if len(errs) > 0 {
			// A resource of another tenant is a 404 even with bad input.
			_, err := referrals.GetResource(r.Context(), tx, m.Tenant.ID, id)
			if err == nil {
				err = errChartRedisplay
			}
			return err
		}
		if err := referrals.UpdateResource(r.Context(), tx, m.Tenant.ID, id, version, res); err != nil {
			return err
		}
		return s.audit(r, tx, audited{action: "resource.updated", entityType: "resource", entityID: id})
	})
	switch {
	case errors.Is(err, errChartRedisplay):
		return render(w, r, http.StatusUnprocessableEntity, web.ResourceFormPage(s.resourceForm(r, "Edit "+f.Name, base, base, version, f, errs)))
	case errors.Is(err, db.ErrConflict):
		v := s.resourceForm(r, "Edit "+f.Name, base, base, version, f, errs)
		v.Problem = "Someone else changed this resource while you were editing it. Reload the page to see their change, then make yours again."
		return render(w, r, http.StatusConflict, web.ResourceFormPage(v))
	case err != nil:
		return err
	}
	s.flash(r, "Saved "+res.Name+".")
	return redirect(w, r, base)
}

// setResourceActive archives a resource or brings it back.
func (s *Server) setResourceActive(w http.ResponseWriter, r *http.Request) error {
	id, err := uuidParam(r, "resourceID")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	m, _ := currentMembership(r)
	version := forms.Version(r.PostForm.Get("version"))
	active := r.PostForm.Get("active") == "yes"
	err = s.inTenant(r, func(tx pgx.Tx) error {
		if err := referrals.SetResourceActive(r.Context(), tx, m.Tenant.ID, id, version, active); err != nil {
			return err
		}
		action := "resource.archived"
		if active {
			action = "resource.restored"
		}
		return s.audit(r, tx, audited{action: action, entityType: "resource", entityID: id})
	})
	if err != nil {
		return err
	}
	if active {
		s.flash(r, "The resource is back in the directory.")
	} else {
		s.flash(r, "The resource is archived: it is no longer offered, and its referrals stay readable.")
	}
	return redirect(w, r, tenantPath(r, "/resources/"+id))
}

// referralBadge is a referral's status with its tone.
func referralBadge(st referrals.Status) web.ChartBadge {
	tone := "info"
	switch st {
	case referrals.Draft:
		tone = "muted"
	case referrals.Completed:
		tone = "ok"
	case referrals.Declined, referrals.NoResponse:
		tone = "warn"
	case referrals.Cancelled:
		tone = "muted"
	}
	return web.ChartBadge{Label: st.Label(), Tone: tone}
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
