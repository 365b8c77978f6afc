package server

import (
	"net/http"

	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// The tenant's settings page: its name and the rules it sets for its own
// work. Each changed setting is one audit event with its old and new value.

// settingsPage shows the settings as stored.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	m, _ := currentMembership(r)
	var f tenants.SettingsForm
	err := s.inTenant(r, func(tx pgx.Tx) error {
		st, err := tenants.LoadSettings(r.Context(), tx, m.Tenant.ID)
		f = tenants.SettingsFormOf(m.Tenant.Name, st)
		return err
	})
	if err != nil {
		return err
	}
	return s.renderSettings(w, r, http.StatusOK, f, nil)
}

// saveSettings stores the settings if every one is within its bounds, and
// otherwise shows them again as typed with a message beside each problem.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	m, _ := currentMembership(r)
	f := tenants.ParseSettingsForm(r.PostForm)
	name, after, errs := f.Validate()
	if len(errs) > 0 {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, f, errs)
	}
	changes := 0
	err := s.inTenant(r, func(tx pgx.Tx) error {
		ctx := r.Context()
		before, err := tenants.LoadSettings(ctx, tx, m.Tenant.ID)
		if err != nil {
			return err
		}
		if name != m.Tenant.Name {
			changes++
			if err := tenants.Rename(ctx, tx, m.Tenant.ID, name); err != nil {
				return err
			}
			if err := s.audit(r, tx, audited{action: "tenant.renamed", entityType: "tenant", entityID: m.Tenant.ID,
				detail: map[string]any{"from": m.Tenant.Name, "to": name}}); err != nil {
				return err
			}
		}
		for _, c := range tenants.ChangedSettings(before, after) {
			changes++
			if err := s.audit(r, tx, audited{action: "settings.changed", entityType: "tenant", entityID: m.Tenant.ID,
				detail: map[string]any{"setting": c.Key, "from": c.From, "to": c.To}}); err != nil {
				return err
			}
		}
		if changes == 0 {
			return nil
		}
		return tenants.SaveSettings(ctx, tx, m.Tenant.ID, after)
	})
	if err != nil {
		return err
	}
	if changes == 0 {
		s.flash(r, "Nothing changed.")
	} else {
		s.flash(r, "Settings saved.")
	}
	return redirect(w, r, tenantPath(r, "/admin/settings"))
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, code int, f tenants.SettingsForm, errs tenants.Errors) error {
	v := web.SettingsView{Shell: s.shell(r), Action: tenantPath(r, "/admin/settings"), Name: f.Name, Errors: web.FieldErrors(errs)}
	if len(errs) > 0 {
		v.Problem = "Some settings need another look. They are marked below; nothing was saved yet."
	}
	for _, rule := range tenants.SettingRules {
		if n := len(v.Groups); n == 0 || v.Groups[n-1].Title != rule.Group {
			v.Groups = append(v.Groups, web.SettingsGroup{Title: rule.Group})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Fields = append(g.Fields, web.SettingField{Key: rule.Key, Label: rule.Label, Hint: rule.Hint, Unit: rule.Unit,
			Min: rule.Min, Max: rule.Max, Value: f.Values[rule.Key]})
	}
	return render(w, r, code, web.SettingsPage(v))
}
