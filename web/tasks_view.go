package web

// TaskRow is one open task on a worklist.
type TaskRow struct {
	PatientName string
	PatientHref string
	Title       string
	Due         string
	Urgent      bool
	// TaskHref opens the task to complete, reschedule or hand it over;
	// ContactHref logs a contact with the patient.
	TaskHref    string
	ContactHref string
	Source      string
	// Assignee and Age are shown on a supervisor's team list only.
	Assignee string
	Age      string
}

// TaskAlert is an open safety alert task, for the chart's banner.
type TaskAlert struct {
	Title    string
	Due      string
	Assignee string
}
