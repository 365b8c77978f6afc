package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"carecoord/internal/auth"
	"carecoord/internal/db"
	"carecoord/internal/tenants"
	"carecoord/web"

	"github.com/jackc/pgx/v5"
)

// The platform admin's pages (issue 9): organisations, their names and
// status, and the invitations of their administrators. Nothing here reads
// a tenant-owned table other than to write an audit event: platform admins
// never see patient data. Each change is recorded in the audit log of the
// tenant it changes.

// platformTenants lists every tenant with its number of users.
func (s *Server) platformTenants(w http.ResponseWriter, r *http.Request) error {
	all, err := tenants.List(r.Context(), s.pool)
	if err != nil {
		return err
	}
	v := web.PlatformTenantsView{Shell: s.shell(r), NewHref: "/platform/tenants/new"}
	for _, t := range all {
		v.Rows = append(v.Rows, web.TenantRow{Name: t.Name, Href: "/platform/tenants/" + t.ID, Slug: t.Slug, Status: t.Status,
			ActiveUsers: t.ActiveUsers, Created: longDate(t.CreatedAt.Local())})
	}
	return render(w, r, http.StatusOK, web.PlatformTenantsPage(v))
}

// newTenantForm is the empty form for a new organisation.
func (s *Server) newTenantForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderNewTenant(w, r, http.StatusOK, web.NewTenantView{})
}

func (s *Server) renderNewTenant(w http.ResponseWriter, r *http.Request, code int, v web.NewTenantView) error {
	v.Shell, v.Action, v.CancelHref = s.shell(r), "/platform/tenants", "/platform/tenants"
	return render(w, r, code, web.NewTenantPage(v))
}

// createTenant creates an organisation and invites its first
// administrator, in one transaction.
func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	u, _ := currentUser(r)
	v := web.NewTenantView{
		Name:       strings.TrimSpace(r.PostForm.Get("name")),
		Slug:       strings.ToLower(strings.TrimSpace(r.PostForm.Get("slug"))),
		AdminEmail: strings.TrimSpace(r.PostForm.Get("admin_email")),
		Errors:     web.FieldErrors{},
	}
	for field, msg := range map[string]string{"name": tenants.CheckName(v.Name), "slug": tenants.CheckSlug(v.Slug), "admin_email": tenants.CheckEmail(v.AdminEmail)} {
		if msg != "" {
			v.Errors[field] = msg
		}
	}
	if len(v.Errors) > 0 {
		return s.renderNewTenant(w, r, http.StatusUnprocessableEntity, v)
	}
	var (
		t     tenants.Tenant
		inv   tenants.Invitation
		token string
	)
	err := pgx.BeginFunc(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		ctx := r.Context()
		if t, err = tenants.Create(ctx, tx, v.Slug, v.Name); err != nil {
			return err
		}
		if err := db.BindTenant(ctx, tx, t.ID); err != nil {
			return err
		}
		if err := s.auditAs(r, tx, t.ID, u.ID, audited{action: "tenant.created", entityType: "tenant", entityID: t.ID,
			detail: map[string]any{"slug": t.Slug, "name": t.Name}}); err != nil {
			return err
		}
		inv, token, err = s.createInvitation(r, tx, t.ID, u.ID, v.AdminEmail, auth.TenantAdmin)
		return err
	})
	errs := tenants.Errors{}
	switch {
	case errors.Is(err, tenants.ErrSlugTaken):
		v.Errors["slug"] = "Another organisation already uses this address. Choose another."
	case inviteProblem(err, errs) != nil:
		return err
	}
	if msg := errs["email"]; msg != "" {
		v.Errors["admin_email"] = msg
	}
	if len(v.Errors) > 0 {
		return s.renderNewTenant(w, r, http.StatusUnprocessableEntity, v)
	}
	s.deliverInvitation(r, u, inv, token)
	s.flash(r, t.Name+" is ready. Its first administrator can now accept the invitation.")
	return redirect(w, r, "/platform/tenants/"+t.ID)
}

// platformTenantReq is a platform admin's request about one tenant.
type platformTenantReq struct {
	tenantID string
	base     string
}

func platformTenantRequest(r *http.Request) (platformTenantReq, error) {
	id, err := uuidParam(r, "tenantID")
	if err != nil {
		return platformTenantReq{}, err
	}
	return platformTenantReq{tenantID: id, base: "/platform/tenants/" + id}, nil
}

// run is the txRunner of the tenant: its audit events go into its log.
func (p platformTenantReq) run(s *Server) txRunner {
	return func(r *http.Request, fn func(tx pgx.Tx) error) error {
		return db.InTenant(r.Context(), s.pool, p.tenantID, fn)
	}
}

// platformTenant shows one tenant.
func (s *Server) platformTenant(w http.ResponseWriter, r *http.Request) error {
	p, err := platformTenantRequest(r)
	if err != nil {
		return err
	}
	return s.renderPlatformTenant(w, r, p, http.StatusOK, platformTenantForms{})
}

// platformTenantForms are the forms of a tenant's page as typed, when one
// comes back with a problem.
type platformTenantForms struct {
	rename  *string
	invite  *tenants.InviteForm
	errs    tenants.Errors
	problem string
}

func (s *Server) renderPlatformTenant(w http.ResponseWriter, r *http.Request, p platformTenantReq, code int, f platformTenantForms) error {
	ctx := r.Context()
	t, err := tenants.GetSummary(ctx, s.pool, p.tenantID)
	if err != nil {
		return err
	}
	v := web.PlatformTenantView{
		Shell: s.shell(r), BackHref: "/platform/tenants", Name: t.Name, Slug: t.Slug, Status: t.Status,
		Created: longDate(t.CreatedAt.Local()), ActiveUsers: t.ActiveUsers, RenameValue: t.Name,
		RenameAction: p.base + "/name", StatusAction: p.base + "/status", Errors: web.FieldErrors(f.errs),
		Shown: s.popShownLink(r), Problem: f.problem,
		Invite: web.InviteFormView{Action: p.base + "/invitations", Errors: web.FieldErrors(f.errs),
			Roles: []web.SelectOption{{Value: string(auth.TenantAdmin), Label: auth.TenantAdmin.Label()}}},
	}
	if f.rename != nil {
		v.RenameValue = *f.rename
	}
	if f.invite != nil {
		v.Invite.Email = f.invite.Email
	}
	err = p.run(s)(r, func(tx pgx.Tx) (err error) {
		v.Invitations, err = s.invitationRows(r, tx, p.tenantID, p.base+"/invitations/")
		return err
	})
	if err != nil {
		return err
	}
	return render(w, r, code, web.PlatformTenantPage(v))
}

// renameTenant gives a tenant a new name.
func (s *Server) renameTenant(w http.ResponseWriter, r *http.Request) error {
	p, err := platformTenantRequest(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if msg := tenants.CheckName(name); msg != "" {
		return s.renderPlatformTenant(w, r, p, http.StatusUnprocessableEntity, platformTenantForms{rename: &name, errs: tenants.Errors{"name": msg}})
	}
	u, _ := currentUser(r)
	err = p.run(s)(r, func(tx pgx.Tx) error {
		t, err := tenants.Get(r.Context(), tx, p.tenantID)
		if err != nil || t.Name == name {
			return err
		}
		if err := tenants.Rename(r.Context(), tx, p.tenantID, name); err != nil {
			return err
		}
		return s.auditAs(r, tx, p.tenantID, u.ID, audited{action: "tenant.renamed", entityType: "tenant", entityID: p.tenantID,
			detail: map[string]any{"from": t.Name, "to": name}})
	})
	if err != nil {
		return err
	}
	s.flash(r, "Renamed to "+name+".")
	return redirect(w, r, p.base)
}

// setTenantStatus suspends or reactivates a tenant. Suspension closes the
// tenant at once: its routes answer 404 to its members on their next
// request, and members with no other organisation are signed out.
func (s *Server) setTenantStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := platformTenantRequest(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	status := r.PostForm.Get("status")
	if status != tenants.Active && status != tenants.Suspended {
		return errBadRequest
	}
	u, _ := currentUser(r)
	var t tenants.Tenant
	err = p.run(s)(r, func(tx pgx.Tx) (err error) {
		ctx := r.Context()
		if t, err = tenants.Get(ctx, tx, p.tenantID); err != nil || t.Status == status {
			return err
		}
		if err := tenants.SetStatus(ctx, tx, p.tenantID, status); err != nil {
			return err
		}
		action := "tenant.reactivated"
		if status == tenants.Suspended {
			action = "tenant.suspended"
			if err := endSessionsOfMembers(ctx, tx, p.tenantID); err != nil {
				return err
			}
		}
		return s.auditAs(r, tx, p.tenantID, u.ID, audited{action: action, entityType: "tenant", entityID: p.tenantID})
	})
	if err != nil {
		return err
	}
	if status == tenants.Suspended {
		s.flash(r, t.Name+" is suspended. Its users can no longer reach it; its data is kept.")
	} else {
		s.flash(r, t.Name+" is active again.")
	}
	return redirect(w, r, p.base)
}

// endSessionsOfMembers signs out the tenant's members who have no other
// organisation to work in.
func endSessionsOfMembers(ctx context.Context, tx pgx.Tx, tenantID string) error {
	ids, err := tenants.MemberIDs(ctx, tx, tenantID)
	if err != nil {
		return err
	}
	return tenants.EndSessionsWithoutTenant(ctx, tx, ids)
}

// inviteTenantAdmin invites an administrator to a tenant, for when it has
// none who can sign in.
func (s *Server) inviteTenantAdmin(w http.ResponseWriter, r *http.Request) error {
	p, err := platformTenantRequest(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return formError(err)
	}
	u, _ := currentUser(r)
	f := tenants.ParseInviteForm(r.PostForm)
	f.Role = string(auth.TenantAdmin)
	errs := tenants.Errors{}
	email, role := f.Validate(errs)
	var (
		inv   tenants.Invitation
		token string
	)
	if len(errs) == 0 {
		err = p.run(s)(r, func(tx pgx.Tx) (err error) {
			if _, err = tenants.Get(r.Context(), tx, p.tenantID); err != nil {
				return err
			}
			inv, token, err = s.createInvitation(r, tx, p.tenantID, u.ID, email, role)
			return err
		})
		if err := inviteProblem(err, errs); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderPlatformTenant(w, r, p, http.StatusUnprocessableEntity, platformTenantForms{invite: &f, errs: errs})
	}
	s.deliverInvitation(r, u, inv, token)
	return redirect(w, r, p.base)
}

// renewTenantInvitation and revokeTenantInvitation are the platform admin's
// way to the tenant admin's invitation actions.
func (s *Server) renewTenantInvitation(w http.ResponseWriter, r *http.Request) error {
	p, err := platformTenantRequest(r)
	if err != nil {
		return err
	}
	return s.renewInvitationOf(w, r, p.tenantID, p.base, p.run(s))
}

func (s *Server) revokeTenantInvitation(w http.ResponseWriter, r *http.Request) error {
	p, err := platformTenantRequest(r)
	if err != nil {
		return err
	}
	return s.revokeInvitationOf(w, r, p.tenantID, p.base, p.run(s))
}
