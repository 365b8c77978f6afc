package tenants_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"carecoord/internal/audit"
	"carecoord/internal/auth"
	"carecoord/internal/fail"
	"carecoord/internal/tenants"

	"github.com/google/go-cmp/cmp"
)

func TestInvite_IsAuditedAndSaysBesideTheEmailWhyNot(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	a := o.as(o.sam, auth.TenantAdmin)
	inv, err := o.s.Invite(ctx, a, tenants.InviteForm{Email: " Ana@Harbour.test ", Role: "coordinator"})
	if err != nil || inv.Email != "ana@harbour.test" || inv.Token == "" || inv.InvitedByName != "Sam Patel" {
		t.Fatalf("invite: %+v, %v", inv, err)
	}
	if n := o.events("invitation.created", o.sam.ID); n != 1 {
		t.Errorf("invitation.created events: %d", n)
	}
	_, err = o.s.Invite(ctx, a, tenants.InviteForm{Email: "sam@harbour.test", Role: "coordinator"})
	if !errors.Is(err, tenants.ErrAlreadyMember) || fail.KindOf(err) != fail.KindPrecondition ||
		fail.Fields(err)["email"] != tenants.ErrAlreadyMember.Message {
		t.Errorf("a member: %v %v", err, fail.Fields(err))
	}
	_, err = o.s.Invite(ctx, a, tenants.InviteForm{Email: "nobody", Role: "owner"})
	if f := fail.Fields(err); fail.KindOf(err) != fail.KindInvalid || f["email"] == "" || f["role"] == "" {
		t.Errorf("bad input: %v", err)
	}
	if n := o.events("invitation.created", o.sam.ID); n != 1 {
		t.Errorf("invitation.created events after refusals: %d", n)
	}
}

func TestChangeMemberRole_TheLastAdminCannotStepDown(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	a := o.as(o.sam, auth.TenantAdmin)
	_, err := o.s.ChangeMemberRole(ctx, a, o.sam.ID, "coordinator")
	if !errors.Is(err, tenants.ErrLastAdmin) || fail.KindOf(err) != fail.KindConflict || !strings.Contains(err.Error(), "without one") {
		t.Fatalf("last admin stepping down: %v", err)
	}
	if _, err := o.s.SetMemberActive(ctx, a, o.sam.ID, false); !errors.Is(err, tenants.ErrLastAdmin) {
		t.Errorf("last admin deactivating themselves: %v", err)
	}
	grace := o.member("grace@harbour.test", "Grace Whitfield", auth.Supervisor)
	c, err := o.s.ChangeMemberRole(ctx, a, grace.ID, "tenant_admin")
	if err != nil || c != (tenants.RoleChange{From: auth.Supervisor, To: auth.TenantAdmin}) {
		t.Fatalf("promote: %+v, %v", c, err)
	}
	if _, err := o.s.ChangeMemberRole(ctx, a, o.sam.ID, "coordinator"); err != nil {
		t.Errorf("stepping down with another admin: %v", err)
	}
	if n := o.events("member.role_changed", o.sam.ID); n != 2 {
		t.Errorf("member.role_changed events: %d, want 2", n)
	}
}

func TestSetMemberActive_DeactivationEndsSessionsOfSomeoneWithNowhereElseToWork(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	liam := o.member("liam@harbour.test", "Liam Chen", auth.Coordinator)
	c, err := o.s.SetMemberActive(ctx, o.as(o.sam, auth.TenantAdmin), liam.ID, false)
	if err != nil || c != (tenants.ActiveChange{Name: "Liam Chen", Changed: true}) {
		t.Fatalf("deactivate: %+v, %v", c, err)
	}
	after, err := auth.UserByID(ctx, o.db.Pool, liam.ID)
	if err != nil || after.SessionVersion != liam.SessionVersion+1 {
		t.Errorf("session version %d → %d (%v)", liam.SessionVersion, after.SessionVersion, err)
	}
	if c, err := o.s.SetMemberActive(ctx, o.as(o.sam, auth.TenantAdmin), liam.ID, false); err != nil || c.Changed {
		t.Errorf("again: %+v, %v", c, err)
	}
	if n := o.events("member.deactivated", o.sam.ID); n != 1 {
		t.Errorf("member.deactivated events: %d", n)
	}
}

func TestInvitationClosed_SaysWhyAndWhomToAsk(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	open := tenants.Invitation{InvitedByName: "Sam Patel", ExpiresAt: now.Add(time.Hour), Tenant: tenants.Tenant{Status: tenants.Active}}
	if err := open.Closed(now); err != nil {
		t.Errorf("open: %v", err)
	}
	accepted, revoked, expired, suspended := open, open, open, open
	accepted.AcceptedAt, revoked.RevokedAt = &now, &now
	expired.ExpiresAt, suspended.Tenant.Status = now.Add(-time.Hour), tenants.Suspended
	expired.InvitedByName = ""
	for _, tt := range []struct {
		name string
		inv  tenants.Invitation
		want error
		says string
	}{
		{"accepted", accepted, tenants.ErrInvitationUsed, "works only once"},
		{"revoked", revoked, tenants.ErrInvitationWithdrawn, "Ask Sam Patel for a new invitation."},
		{"expired", expired, tenants.ErrInvitationExpired, "expired on 2 Mar 2026, 08:00. Ask the organisation's administrator"},
		{"suspended", suspended, tenants.ErrTenantUnavailable, "not available"},
	} {
		err := tt.inv.Closed(now)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestAcceptInvitation_ANewPersonJoinsOnceAsThemselves(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	inv, err := o.s.Invite(ctx, o.as(o.sam, auth.TenantAdmin), tenants.InviteForm{Email: "ana@harbour.test", Role: "coordinator"})
	if err != nil {
		t.Fatal(err)
	}
	visitor := tenants.Actor{At: time.Now(), IP: "192.0.2.9"}
	f := tenants.AcceptForm{Name: "Ana Silva", New: auth.PasswordForm{New: "harbour tide lantern 42", Confirm: "harbour tide lantern 42"}}
	_, err = o.s.AcceptInvitation(ctx, visitor, inv.Token, tenants.AcceptForm{Name: "Ana Silva", New: auth.PasswordForm{New: "short", Confirm: "short"}})
	if fail.Fields(err)["new_password"] == "" {
		t.Errorf("short password: %v", err)
	}
	done, err := o.s.AcceptInvitation(ctx, visitor, inv.Token, f)
	if err != nil || !done.SignIn || done.User.Name != "Ana Silva" || done.Tenant.ID != o.tenant.ID {
		t.Fatalf("accept: %+v, %v", done, err)
	}
	if n := o.events("invitation.accepted", done.User.ID); n != 1 {
		t.Errorf("invitation.accepted events by Ana: %d", n)
	}
	if _, err := o.s.AcceptInvitation(ctx, visitor, inv.Token, f); !errors.Is(err, tenants.ErrInvitationUsed) {
		t.Errorf("second use: %v", err)
	}
}

func TestAcceptInvitation_AnotherAccountSignedInIsTurnedAway(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	inv, err := o.s.Invite(ctx, o.as(o.sam, auth.TenantAdmin), tenants.InviteForm{Email: "ana@harbour.test", Role: "coordinator"})
	if err != nil {
		t.Fatal(err)
	}
	signedIn := o.as(o.sam, auth.TenantAdmin)
	signedIn.TenantID = ""
	if _, err := o.s.AcceptInvitation(ctx, signedIn, inv.Token, tenants.AcceptForm{}); !errors.Is(err, tenants.ErrOtherAccount) {
		t.Errorf("someone else: %v", err)
	}
}

func TestCreateTenant_IsAuditedInTheNewTenantAsThePlatformAdmin(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	hash, _ := auth.HashPassword("a long password")
	admin, err := auth.CreateUserWithHash(ctx, o.db.Pool, auth.NewUser{Email: "platform@example.test", Name: "Platform", PlatformAdmin: true}, hash)
	if err != nil {
		t.Fatal(err)
	}
	platform := tenants.Actor{UserID: admin.ID, UserName: admin.Name, At: time.Now()}
	made, err := o.s.CreateTenant(ctx, platform, tenants.NewTenantForm{Name: "Bay Care", Slug: "bay", AdminEmail: "lee@bay.test"})
	if err != nil || made.Invited.Token == "" || made.Invited.Role != auth.TenantAdmin {
		t.Fatalf("create: %+v, %v", made, err)
	}
	bay := org{t: t, db: o.db, tenant: made.Tenant}
	if a, b := bay.events("tenant.created", admin.ID), bay.events("invitation.created", admin.ID); a != 1 || b != 1 {
		t.Errorf("events in the new tenant: %d tenant.created, %d invitation.created", a, b)
	}
	tests := []struct {
		name  string
		f     tenants.NewTenantForm
		field string
	}{
		{"taken slug", tenants.NewTenantForm{Name: "Harbour 2", Slug: "harbour", AdminEmail: "x@harbour.test"}, "slug"},
		{"platform admin", tenants.NewTenantForm{Name: "Cove", Slug: "cove", AdminEmail: "platform@example.test"}, "admin_email"},
		{"no name", tenants.NewTenantForm{Slug: "cove", AdminEmail: "x@cove.test"}, "name"},
	}
	for _, tt := range tests {
		if _, err := o.s.CreateTenant(ctx, platform, tt.f); fail.Fields(err)[tt.field] == "" {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	all, err := o.s.Tenants(ctx)
	if err != nil || len(all) != 2 {
		t.Errorf("tenants: %d (%v), want 2", len(all), err)
	}
}

func TestSaveSettings_OneEventPerChangeAndNothingWhenInvalid(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	a := o.as(o.sam, auth.TenantAdmin)
	f, err := o.s.SettingsPage(ctx, a)
	if err != nil || f.Name != "Harbour Care" {
		t.Fatalf("page: %+v, %v", f, err)
	}
	f.Values["idle_timeout_minutes"] = "4"
	if _, err := o.s.SaveSettings(ctx, a, f); fail.KindOf(err) != fail.KindInvalid || fail.Fields(err)["idle_timeout_minutes"] == "" {
		t.Errorf("out of bounds: %v", err)
	}
	f.Name, f.Values["idle_timeout_minutes"], f.Values["cadence_high_days"] = "Harbour Care Collective", "15", "5"
	if n, err := o.s.SaveSettings(ctx, a, f); err != nil || n != 3 {
		t.Errorf("save: %d changes, %v", n, err)
	}
	if n, err := o.s.SaveSettings(ctx, a, f); err != nil || n != 0 {
		t.Errorf("again: %d changes, %v", n, err)
	}
	got := []int{o.events("settings.changed", o.sam.ID), o.events("tenant.renamed", o.sam.ID)}
	if diff := cmp.Diff([]int{2, 1}, got); diff != "" {
		t.Errorf("settings.changed, tenant.renamed (-want +got):\n%s", diff)
	}
}

func TestExportAuditLog_IsAuditedUnlessAFilterCantBeUsed(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ctx := context.Background()
	a := o.as(o.sam, auth.TenantAdmin)
	// An unknown MRN is not a filter that can't be used: it lists nothing,
	// like a patient without events (issue 21). A date that is no date is.
	bad, err := o.s.ExportAuditLog(ctx, a, tenants.AuditQuery{Typed: map[string][]string{"from": {"2026-02-30"}}})
	if err != nil || bad.Errors["from"] == "" {
		t.Fatalf("impossible date: %+v, %v", bad.Errors, err)
	}
	l, err := o.s.ExportAuditLog(ctx, a, tenants.AuditQuery{Typed: map[string][]string{"user": {o.sam.ID}}})
	if err != nil || len(l.Errors) > 0 {
		t.Fatalf("export: %v %v", l.Errors, err)
	}
	var got []string
	if err := o.s.EachAuditEntry(ctx, a, l, func(e audit.Entry) error { got = append(got, e.Action); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"audit.exported"}, got); diff != "" {
		t.Errorf("Sam's entries (-want +got):\n%s", diff)
	}
}
