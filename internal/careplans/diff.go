package careplans

import "strings"

// ChangeKind says how an item differs between two versions.
type ChangeKind string

// Change kinds.
const (
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
	Changed ChangeKind = "changed"
)

// Change is one difference between two versions of a plan, worded for a
// supervisor: what kind of item, which one, and field by field what moved.
type Change struct {
	Kind ChangeKind
	// Item is "Plan", "Need", "Goal" or "Intervention".
	Item string
	// Label names the item as it reads in the newer version (the older
	// one for a removed item).
	Label string
	// Under names the goal or need the item belongs to, "" for the plan
	// and its needs.
	Under  string
	Fields []FieldChange
}

// FieldChange is one field that changed.
type FieldChange struct {
	Name, From, To string
}

// Diff lists what changed from old to new. Items are matched by id, so a
// reworded goal is one change, not a removal and an addition; order
// changes are reported on the parent. Changes come in plan order.
func Diff(old, new Snapshot) []Change {
	var out []Change
	if f := fieldChanges(planFields(old), planFields(new)); len(f) > 0 {
		out = append(out, Change{Kind: Changed, Item: "Plan", Label: new.Title, Fields: f})
	}
	if moved(needIDs(old.Needs), needIDs(new.Needs)) {
		out = append(out, Change{Kind: Changed, Item: "Plan", Label: new.Title,
			Fields: []FieldChange{{"Order of needs", "", "changed"}}})
	}
	oldNeeds := map[string]SnapshotNeed{}
	for _, n := range old.Needs {
		oldNeeds[n.ID] = n
	}
	seen := map[string]bool{}
	for _, n := range new.Needs {
		seen[n.ID] = true
		o, ok := oldNeeds[n.ID]
		if !ok {
			out = append(out, Change{Kind: Added, Item: "Need", Label: n.Label})
			o = SnapshotNeed{}
		} else if f := fieldChanges(needFields(o), needFields(n)); len(f) > 0 {
			out = append(out, Change{Kind: Changed, Item: "Need", Label: n.Label, Fields: f})
		}
		out = append(out, diffGoals(n.Label, o.Goals, n.Goals)...)
	}
	for _, n := range old.Needs {
		if !seen[n.ID] {
			out = append(out, Change{Kind: Removed, Item: "Need", Label: n.Label})
		}
	}
	return out
}

func diffGoals(need string, old, new []SnapshotGoal) []Change {
	var out []Change
	byID := map[string]SnapshotGoal{}
	for _, g := range old {
		byID[g.ID] = g
	}
	seen := map[string]bool{}
	for _, g := range new {
		seen[g.ID] = true
		o, ok := byID[g.ID]
		switch {
		case !ok:
			out = append(out, Change{Kind: Added, Item: "Goal", Label: g.PatientWords, Under: need, Fields: fieldChanges(nil, goalFields(g))})
		default:
			f := fieldChanges(goalFields(o), goalFields(g))
			if moved(interventionIDs(o.Interventions), interventionIDs(g.Interventions)) {
				f = append(f, FieldChange{"Order of interventions", "", "changed"})
			}
			if len(f) > 0 {
				out = append(out, Change{Kind: Changed, Item: "Goal", Label: g.PatientWords, Under: need, Fields: f})
			}
		}
		out = append(out, diffInterventions(g.PatientWords, o.Interventions, g.Interventions)...)
	}
	for _, g := range old {
		if !seen[g.ID] {
			out = append(out, Change{Kind: Removed, Item: "Goal", Label: g.PatientWords, Under: need})
		}
	}
	if moved(goalIDs(old), goalIDs(new)) {
		out = append(out, Change{Kind: Changed, Item: "Need", Label: need, Fields: []FieldChange{{"Order of goals", "", "changed"}}})
	}
	return out
}

func diffInterventions(goal string, old, new []SnapshotIntervention) []Change {
	var out []Change
	byID := map[string]SnapshotIntervention{}
	for _, i := range old {
		byID[i.ID] = i
	}
	seen := map[string]bool{}
	for _, i := range new {
		seen[i.ID] = true
		o, ok := byID[i.ID]
		if !ok {
			out = append(out, Change{Kind: Added, Item: "Intervention", Label: i.Action, Under: goal, Fields: fieldChanges(nil, interventionFields(i))})
		} else if f := fieldChanges(interventionFields(o), interventionFields(i)); len(f) > 0 {
			out = append(out, Change{Kind: Changed, Item: "Intervention", Label: i.Action, Under: goal, Fields: f})
		}
	}
	for _, i := range old {
		if !seen[i.ID] {
			out = append(out, Change{Kind: Removed, Item: "Intervention", Label: i.Action, Under: goal})
		}
	}
	return out
}

// field is one named value of an item, already in words.
type field struct{ name, value string }

func planFields(s Snapshot) []field {
	return []field{{"Title", s.Title}, {"Review date", s.ReviewDue}, {"Who took part", s.Participants},
		{"Patient agreed", agreementLabel(s.PatientAgreed)}}
}

func agreementLabel(a Agreement) string {
	if a == "" {
		return ""
	}
	return a.Label()
}

func needFields(n SnapshotNeed) []field {
	return []field{{"Need", n.Label}, {"Priority", n.Priority.Label()}}
}

func goalFields(g SnapshotGoal) []field {
	return []field{{"In the patient's words", g.PatientWords}, {"Target", g.Target}, {"Target date", g.TargetDate},
		{"Priority", g.Priority.Label()}, {"Status", g.Status.Label()}}
}

func interventionFields(i SnapshotIntervention) []field {
	return []field{{"Action", i.Action}, {"Who", i.Responsible}, {"Due", i.DueDate}, {"Status", i.Status.Label()}}
}

// fieldChanges compares two field lists of the same shape. An old list
// that is empty (the item is new) reports every non-empty new field, so an
// added item shows what it says.
func fieldChanges(old, new []field) []FieldChange {
	var out []FieldChange
	for i, f := range new {
		from := ""
		if i < len(old) {
			from = old[i].value
		}
		if strings.TrimSpace(from) != strings.TrimSpace(f.value) {
			out = append(out, FieldChange{Name: f.name, From: from, To: f.value})
		}
	}
	return out
}

// moved reports whether the items both versions share appear in a
// different order.
func moved(old, new []string) bool {
	inNew := map[string]bool{}
	for _, id := range new {
		inNew[id] = true
	}
	inOld := map[string]bool{}
	var a, b []string
	for _, id := range old {
		inOld[id] = true
		if inNew[id] {
			a = append(a, id)
		}
	}
	for _, id := range new {
		if inOld[id] {
			b = append(b, id)
		}
	}
	return strings.Join(a, ",") != strings.Join(b, ",")
}

func needIDs(ns []SnapshotNeed) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func goalIDs(gs []SnapshotGoal) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

func interventionIDs(is []SnapshotIntervention) []string {
	out := make([]string, len(is))
	for i, v := range is {
		out[i] = v.ID
	}
	return out
}
