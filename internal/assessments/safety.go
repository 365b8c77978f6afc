package assessments

import (
	"context"
	"slices"

	"carecoord/internal/audit"
	"carecoord/internal/calendar"
	"carecoord/internal/db"
	"carecoord/internal/patients"
	"carecoord/internal/tasks"
	"carecoord/internal/tenants"

	"github.com/jackc/pgx/v5"
)

// Safety first (issue 15). A safety answer — any PHQ-9 item 9 answer above
// "Not at all" (Kroenke, Spitzer & Williams 2001: any positive response to
// item 9 warrants follow-up) or an AHC-HRSN interpersonal-safety total of
// 11 or more (CMS AHC-HRSN screening tool guide) — must reach a person the
// day it is given, even when the coordinator is interrupted and only saves
// the form. So every save, completion, amendment and entered-in-error mark
// settles the alert of the assessment's chain (the first assessment and
// its amendments): one urgent task per chain, whichever member changed.
//
//   - Answers that raise the alert, saved or completed, open the task, or
//     reopen it when a correction had withdrawn it. A task already done
//     stays done: someone acted on it.
//   - Answers completed without the alert (the draft finished, or an
//     amendment that corrects the answer) withdraw the open task with the
//     reason in its history. A draft saved without the alert changes
//     nothing: an alert is lowered only by a finished answer.
//   - An assessment entered in error no longer counts: the chain's newest
//     standing member decides, and with none left the task is withdrawn.

// chainMember is one assessment of a chain as the alert reads it.
type chainMember struct {
	Status Status
	Safety bool
}

// chainOf returns the first assessment of id's chain and every member,
// newest first.
func chainOf(ctx context.Context, q db.DBTX, tenantID, id string) (string, []chainMember, error) {
	var root string
	err := q.QueryRow(ctx, `
		with recursive up (id, amends_id) as (
		    select id, amends_id from assessments where tenant_id = $1 and id = $2
		    union all
		    select a.id, a.amends_id from assessments a join up on a.tenant_id = $1 and a.id = up.amends_id)
		select id from up where amends_id is null`, tenantID, id).Scan(&root)
	if err != nil {
		return "", nil, db.NotFound(err)
	}
	rows, _ := q.Query(ctx, `
		with recursive down (id) as (
		    select $2::uuid
		    union all
		    select a.id from assessments a join down on a.tenant_id = $1 and a.amends_id = down.id)
		select a.status, a.alerts ? $3 as safety
		  from assessments a join down on a.id = down.id
		 where a.tenant_id = $1
		 order by a.created_at desc, a.id desc`, tenantID, root, AlertSafety)
	members, err := pgx.CollectRows(rows, pgx.RowToStructByName[chainMember])
	return root, members, err
}

// settleSafety brings the safety task of id's chain in line with its
// answers after a change, why being the reason a withdrawal records. It
// returns the chain's open safety task, or "".
func settleSafety(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, id, code, why string) (string, error) {
	root, members, err := chainOf(ctx, q, a.TenantID, id)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(members, func(m chainMember) bool { return m.Status != EnteredInError })
	switch {
	case i >= 0 && members[i].Safety:
		return raiseSafety(ctx, q, a, patientID, root, code)
	case i >= 0 && members[i].Status == InProgress:
		return tasks.OpenRaisedBy(ctx, q, a.TenantID, tasks.SafetyAlert, root)
	}
	return "", withdrawSafety(ctx, q, a, patientID, root, code, why)
}

// raiseSafety opens the chain's urgent safety task, due by the end of the
// day, or reopens it if a correction withdrew it, with its timeline line
// and audit event. The patient's coordinator gets a new one; a patient
// without one leaves it with whoever gave the assessment, so that it is
// never nobody's.
func raiseSafety(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, root, code string) (string, error) {
	p, err := patients.Get(ctx, q, a.TenantID, patientID)
	if err != nil {
		return "", err
	}
	assignee := a.UserID
	if p.CoordinatorID != nil {
		assignee = *p.CoordinatorID
	}
	due := calendar.EndOfDay(a.At)
	id, created, err := tasks.Create(ctx, q, a.TenantID, tasks.NewTask{PatientID: patientID, Title: "Safety follow-up after " + code,
		DueAt: due, AssigneeID: assignee, Priority: tasks.Urgent, Source: tasks.SafetyAlert, SourceID: root, CreatedAt: a.At})
	if err != nil {
		return "", err
	}
	if created {
		return id, patients.Record(ctx, q, a, patientID, "task", "Urgent task: safety follow-up after "+code,
			audit.Event{Action: "task.created", EntityType: "task", EntityID: id, Detail: map[string]any{"source": string(tasks.SafetyAlert),
				"assessment": root, "assignee": assignee, "priority": string(tasks.Urgent)}})
	}
	reopened, err := tasks.Reopen(ctx, q, a.TenantID, tasks.SafetyAlert, root, a.UserID, due, "The answers show a safety concern again.")
	if err != nil || reopened == "" {
		if err == nil {
			return tasks.OpenRaisedBy(ctx, q, a.TenantID, tasks.SafetyAlert, root)
		}
		return "", err
	}
	return reopened, patients.Record(ctx, q, a, patientID, "task", "Urgent task reopened: safety follow-up after "+code,
		audit.Event{Action: "task.reopened", EntityType: "task", EntityID: reopened, Detail: map[string]any{"assessment": root}})
}

// withdrawSafety cancels the chain's open safety task for why, with its
// timeline line and audit event.
func withdrawSafety(ctx context.Context, q db.DBTX, a tenants.Actor, patientID, root, code, why string) error {
	id, err := tasks.Withdraw(ctx, q, a.TenantID, tasks.SafetyAlert, root, a.UserID, why)
	if err != nil || id == "" {
		return err
	}
	return patients.Record(ctx, q, a, patientID, "task", "Urgent task withdrawn: safety follow-up after "+code+". "+why,
		audit.Event{Action: "task.cancelled", EntityType: "task", EntityID: id, Detail: map[string]any{"assessment": root, "reason": why}})
}

// SafetyConcern reports whether the assessment's answers raise the safety
// alert (PHQ-9 item 9 above "Not at all", AHC-HRSN interpersonal safety
// total of 11 or more), saved or completed; never for one entered in
// error. Risk rules read it.
func (a Assessment) SafetyConcern() bool {
	return a.Status != EnteredInError && slices.Contains(a.Alerts, AlertSafety)
}
