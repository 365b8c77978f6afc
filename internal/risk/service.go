package risk

import (
	"context"
	"strings"
	"unicode/utf8"

	"carecoord/internal/audit"
	"carecoord/internal/db"
	"carecoord/internal/fail"
	"carecoord/internal/patients"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service holds the decisions on proposals.
type Service struct {
	pool *pgxpool.Pool
}

// NewService is the proposals' use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Reevaluate runs the rules over the patient's evidence as it stands in q's
// transaction, at a's moment. When they propose a higher tier than the
// patient's, from evidence nobody has decided on, the proposal waits for
// the coordinator (replacing one that waited on older evidence); when they
// no longer do, a waiting proposal is withdrawn. assessments and contacts
// call it with each new piece of evidence (patients.Reevaluate).
func Reevaluate(ctx context.Context, q db.DBTX, a tenants.Actor, patientID string) error {
	p, err := patients.Get(ctx, q, a.TenantID, patientID)
	if err != nil {
		return err
	}
	facts, err := gather(ctx, q, a, patientID)
	if err != nil {
		return err
	}
	prop := Evaluate(facts, ThresholdsOf(a.Settings))
	open, err := OpenFor(ctx, q, a.TenantID, patientID)
	if err != nil {
		return err
	}
	if open != nil && open.Fingerprint == prop.Fingerprint() && prop.Raises(p.RiskTier) {
		return nil
	}
	if open != nil {
		if err := withdraw(ctx, q, a, *open); err != nil {
			return err
		}
	}
	if !prop.Raises(p.RiskTier) {
		return nil
	}
	if seen, err := decided(ctx, q, a.TenantID, patientID, prop.Fingerprint()); err != nil || seen {
		return err
	}
	id, err := insert(ctx, q, a, patientID, p.RiskTier, prop)
	if err != nil {
		return err
	}
	return patients.Record(ctx, q, a, patientID, "risk", "Risk tier proposed: "+prop.Tier.Label()+" ("+evidence(prop.Reasons)+")",
		audit.Event{Action: "risk.proposed", EntityType: "risk_proposal", EntityID: id,
			Detail: map[string]any{"from": string(p.RiskTier), "to": string(prop.Tier), "rules": ruleKeys(prop.Reasons)}})
}

// withdraw marks a waiting proposal superseded by the evidence as it now
// stands.
func withdraw(ctx context.Context, q db.DBTX, a tenants.Actor, open Stored) error {
	if err := supersede(ctx, q, a.TenantID, open.ID); err != nil {
		return err
	}
	return patients.Record(ctx, q, a, open.PatientID, "risk", "Risk tier proposal of "+open.Tier.Label()+" withdrawn: the evidence has changed",
		audit.Event{Action: "risk.superseded", EntityType: "risk_proposal", EntityID: open.ID})
}

// Accept sets the patient's tier to the proposal's, read at version; the
// contact cadence follows the new tier from then on.
func (s *Service) Accept(ctx context.Context, a tenants.Actor, patientID, id string, version int) (Stored, error) {
	var out Stored
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if out, err = decide(ctx, tx, a, patientID, id, version, Accepted, ""); err != nil {
			return err
		}
		// The tier it changes from is the patient's now, which someone may
		// have edited since the proposal was made.
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		if err = patients.SetRiskTier(ctx, tx, a, patientID, out.Tier); err != nil {
			return err
		}
		return patients.Record(ctx, tx, a, patientID, "risk",
			"Risk tier changed from "+p.RiskTier.Label()+" to "+out.Tier.Label()+", proposal accepted ("+evidence(out.Reasons)+")",
			audit.Event{Action: "risk.accepted", EntityType: "risk_proposal", EntityID: id,
				Detail: map[string]any{"from": string(p.RiskTier), "to": string(out.Tier)}})
	})
	return out, err
}

// Override keeps the patient's tier, for the reason given; the same
// evidence is not proposed again.
func (s *Service) Override(ctx context.Context, a tenants.Actor, patientID, id string, version int, reason string) (Stored, error) {
	reason = strings.TrimSpace(reason)
	var out Stored
	err := db.InTenant(ctx, s.pool, a.TenantID, func(tx pgx.Tx) (err error) {
		if msg := reasonProblem(reason); msg != "" {
			// Another tenant's proposal is not found, whatever was typed.
			if err := mustExist(ctx, tx, a.TenantID, patientID, id); err != nil {
				return err
			}
			return fail.Invalid(map[string]string{"reason": msg}, "")
		}
		if out, err = decide(ctx, tx, a, patientID, id, version, Overridden, reason); err != nil {
			return err
		}
		p, err := patients.Get(ctx, tx, a.TenantID, patientID)
		if err != nil {
			return err
		}
		return patients.Record(ctx, tx, a, patientID, "risk",
			"Risk tier kept at "+p.RiskTier.Label()+", proposal of "+out.Tier.Label()+" overridden: "+reason,
			audit.Event{Action: "risk.overridden", EntityType: "risk_proposal", EntityID: id,
				Detail: map[string]any{"kept": string(p.RiskTier), "proposed": string(out.Tier)}})
	})
	return out, err
}

// reasonProblem is what is wrong with an override's reason, or "".
func reasonProblem(reason string) string {
	switch {
	case reason == "":
		return "Say why the tier stays as it is."
	case utf8.RuneCountInString(reason) > 500:
		return "Keep the reason to 500 characters or fewer."
	}
	return ""
}

// evidence is the reasons in words, for the timeline.
func evidence(rs []Reason) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Evidence
	}
	return strings.Join(out, "; ")
}

func ruleKeys(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Rule
	}
	return out
}
