package fail_test

import (
	"errors"
	"fmt"
	"testing"

	"carecoord/internal/fail"
)

var errPlanClosed = fail.Precondition("The plan is closed.")

func TestError_DeclaredFailuresAreRecognisedAfterTheyAreToldForOneCase(t *testing.T) {
	t.Parallel()
	told := errPlanClosed.Because("The plan was cancelled on 2 Dec, so it can't be changed.")
	wrapped := fmt.Errorf("approve: %w", told.WithFields(map[string]string{"comment": "Say why."}))
	if !errors.Is(wrapped, errPlanClosed) {
		t.Fatal("errors.Is does not see the declared failure through Because, WithFields and wrapping")
	}
	if errors.Is(wrapped, fail.Precondition("The plan is closed.")) {
		t.Fatal("another failure with the same words is a different failure")
	}
	e, ok := fail.As(wrapped)
	if !ok || e.Kind != fail.KindPrecondition || e.Message != "The plan was cancelled on 2 Dec, so it can't be changed." || e.Fields["comment"] != "Say why." {
		t.Fatalf("got %+v", e)
	}
	if errPlanClosed.Message != "The plan is closed." || errPlanClosed.Fields != nil {
		t.Fatal("telling a case changed the declared failure")
	}
}

func TestKindOf_AnythingUndeclaredIsInternal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want fail.Kind
	}{
		{"plain error", errors.New("connection reset"), fail.KindInternal},
		{"invalid", fail.Invalid(map[string]string{"name": "Enter a name."}, ""), fail.KindInvalid},
		{"wrapped conflict", fmt.Errorf("save: %w", fail.Conflict("Changed meanwhile.")), fail.KindConflict},
		{"not found", fail.NotFound("gone"), fail.KindNotFound},
		{"forbidden", fail.Forbidden("Supervisors only."), fail.KindForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fail.KindOf(tt.err); got != tt.want {
				t.Fatalf("KindOf = %v, want %v", got, tt.want)
			}
		})
	}
}
