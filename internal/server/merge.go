package server

import (
	"net/http"
	"net/url"
	"strconv"

	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/web"

	"github.com/a-h/templ"
)

// Possible duplicates and merging two records of one person (issue 16):
// the supervisor's list, the "not the same person" decision, and the
// side-by-side comparison that merges. internal/patients decides and
// moves; this file turns what it returns into pages.

// duplicateList is one page of the tenant's possible duplicates.
func (s *Server) duplicateList(w http.ResponseWriter, r *http.Request) error {
	after := r.URL.Query().Get("after")
	page, err := s.patients.DuplicatePairs(r.Context(), s.actor(r), after)
	if err != nil {
		return err
	}
	v := web.DuplicatesView{Shell: s.shell(r), CaseloadHref: tenantPath(r, "/caseload"), Problem: page.Problem}
	for _, p := range page.Pairs {
		v.Pairs = append(v.Pairs, duplicatePairView(r, p))
	}
	if page.Next != "" {
		v.NextHref = tenantPath(r, "/duplicates") + query(url.Values{"after": {page.Next}})
	}
	if after != "" {
		v.FirstHref = tenantPath(r, "/duplicates")
	}
	return render(w, r, http.StatusOK, web.DuplicatesPage(v))
}

func duplicatePairView(r *http.Request, p patients.DuplicatePair) web.DuplicatePairView {
	v := web.DuplicatePairView{A: pairSideView(r, p.A), B: pairSideView(r, p.B),
		CompareHref: mergePath(r, p.A.ID, p.B.ID), DistinctAction: tenantPath(r, "/duplicates/distinct")}
	for _, e := range p.Evidence {
		v.Evidence = append(v.Evidence, e.Label())
	}
	return v
}

func pairSideView(r *http.Request, p patients.PairSide) web.PairSideView {
	return web.PairSideView{ID: p.ID, Name: p.GivenName + " " + p.FamilyName, Born: longDate(p.DateOfBirth),
		Phone: p.Phone, Email: p.Email, ExternalID: p.ExternalID, Status: p.Status.Label(),
		Coordinator: p.CoordinatorName, Href: patientPath(r, p.ID)}
}

// mergePath is the comparison that merges other into survivor.
func mergePath(r *http.Request, survivor, other string) string {
	return patientPath(r, survivor) + "/merge/" + other
}

// markDistinct records that a pair is not one person.
func (s *Server) markDistinct(w http.ResponseWriter, r *http.Request) error {
	one, other := r.PostForm.Get("a"), r.PostForm.Get("b")
	if !validUUID(one) || !validUUID(other) {
		return errNotFound
	}
	err := s.patients.MarkDistinct(r.Context(), s.actor(r), one, other)
	if err != nil {
		return s.flashFailure(w, r, err, tenantPath(r, "/duplicates"))
	}
	return s.redirectWith(w, r, tenantPath(r, "/duplicates"), "Noted: those two records are different people, and the pair will not be listed again.")
}

// mergeComparison shows both records side by side.
func (s *Server) mergeComparison(w http.ResponseWriter, r *http.Request) error {
	survivor, other := urlID(r, "patientID"), urlID(r, "otherID")
	c, err := s.patients.Comparison(r.Context(), s.actor(r), survivor, other)
	if err != nil {
		return s.flashFailure(w, r, err, tenantPath(r, "/duplicates"))
	}
	return render(w, r, http.StatusOK, web.MergePage(s.mergeView(r, c, patients.MergeForm{}, nil)))
}

// mergePatients merges; a changed record or a missing choice shows the
// comparison again, as saved now, with the choices made.
func (s *Server) mergePatients(w http.ResponseWriter, r *http.Request) error {
	survivor, other := urlID(r, "patientID"), urlID(r, "otherID")
	f := patients.ParseMergeForm(r.PostForm)
	m, err := s.patients.Merge(r.Context(), s.actor(r), survivor, other, f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) {
			c, err := s.patients.Comparison(r.Context(), s.actor(r), survivor, other)
			return web.MergePage(s.mergeView(r, c, f, e)), err
		})
	}
	return s.redirectWith(w, r, patientPath(r, m.SurvivorID), "The records were merged into this one.")
}

// mergeView builds the comparison page; f and e are the choices posted and
// why they came back (nil on first showing).
func (s *Server) mergeView(r *http.Request, c patients.Comparison, f patients.MergeForm, e *fail.Error) web.MergeView {
	sv, mg := c.Survivor, c.Merged
	v := web.MergeView{Shell: s.shell(r), Action: mergePath(r, sv.ID, mg.ID), SwapHref: mergePath(r, mg.ID, sv.ID),
		BackHref: tenantPath(r, "/duplicates"), SurvivorVersion: strconv.Itoa(sv.Version), MergedVersion: strconv.Itoa(mg.Version),
		Survivor: web.PairSideView{ID: sv.ID, Name: sv.DisplayName(), Href: patientPath(r, sv.ID)},
		Merged:   web.PairSideView{ID: mg.ID, Name: mg.DisplayName(), Href: patientPath(r, mg.ID)},
		KeepPlan: f.KeepPlan}
	if e != nil {
		v.Problem, v.Errors = e.Message, e.Fields
	}
	for _, fld := range c.Fields {
		v.Fields = append(v.Fields, web.MergeFieldView{Name: fld.Name, Label: fld.Label, Survivor: fld.Survivor,
			Merged: fld.Merged, Differs: fld.Differs, Keep: f.Keep[fld.Name]})
	}
	for _, p := range c.Plans {
		whose := "record that stays"
		if p.PatientID == mg.ID {
			whose = "record merged into it"
		}
		v.Plans = append(v.Plans, web.MergePlanView{ID: p.ID, Title: p.Title, Status: p.Status, Whose: whose})
	}
	if v.KeepPlan == "" && len(c.Plans) > 0 {
		v.KeepPlan = c.Plans[0].ID
	}
	return v
}
