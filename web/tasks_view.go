package web

// TaskRow is one open task on a worklist.
type TaskRow struct {
	PatientName string
	PatientHref string
	Title       string
	Due         string
	Urgent      bool
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
