package server

import (
	"net/http"

	"carecoord/internal/fail"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/a-h/templ"
)

// The tenant's settings page: its name and the rules it sets for its own
// work. Each changed setting is one audit event with its old and new value.

// settingsPage shows the settings as stored.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.tenants.SettingsPage(r.Context(), s.actor(r))
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, s.settingsView(r, f, nil))
}

// saveSettings stores the settings if every one is within its bounds, and
// otherwise shows them again as typed with a message beside each problem.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	f := tenants.ParseSettingsForm(r.PostForm)
	changes, err := s.tenants.SaveSettings(r.Context(), s.actor(r), f)
	if err != nil {
		return s.showAgain(w, r, err, func(e *fail.Error) (templ.Component, error) { return s.settingsView(r, f, e), nil })
	}
	if changes == 0 {
		return s.redirectWith(w, r, tenantPath(r, "/admin/settings"), "Nothing changed.")
	}
	return s.redirectWith(w, r, tenantPath(r, "/admin/settings"), "Settings saved.")
}

// settingsView is the settings page as f holds them, with e's messages if
// they could not be saved.
func (s *Server) settingsView(r *http.Request, f tenants.SettingsForm, e *fail.Error) templ.Component {
	v := web.SettingsView{Shell: s.shell(r), Action: tenantPath(r, "/admin/settings"), Name: f.Name, RequireMFA: f.RequireMFA, TimeZone: f.TimeZone}
	if e != nil {
		v.Problem, v.Errors = e.Message, e.Fields
	}
	for _, rule := range tenants.SettingRules {
		if n := len(v.Groups); n == 0 || v.Groups[n-1].Title != rule.Group {
			v.Groups = append(v.Groups, web.SettingsGroup{Title: rule.Group})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Fields = append(g.Fields, web.SettingField{Key: rule.Key, Label: rule.Label, Hint: rule.Hint, Unit: rule.Unit,
			Min: rule.Min, Max: rule.Max, Value: f.Values[rule.Key]})
	}
	return web.SettingsPage(v)
}
