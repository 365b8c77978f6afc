package referrals

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"carecoord/internal/calendar"
)

// CalendarEvent is one appointment as a calendar shows it.
type CalendarEvent struct {
	// UID is unique for all time: the same appointment keeps it, so a
	// calendar updates the event instead of adding a copy.
	UID         string
	Start       time.Time
	End         time.Time
	Summary     string
	Location    string
	Description string
}

// calendarEvents are the appointments as a calendar shows them: what and
// with whom, where, and whether transport or an interpreter is needed or
// arranged.
func calendarEvents(list []Appointment) []CalendarEvent {
	out := make([]CalendarEvent, len(list))
	for i, a := range list {
		var notes []string
		switch {
		case a.TransportArranged:
			notes = append(notes, "Transport is arranged.")
		case a.TransportNeeded:
			notes = append(notes, "Transport is needed.")
		}
		switch {
		case a.InterpreterArranged:
			notes = append(notes, "An interpreter is arranged.")
		case a.InterpreterNeeded:
			notes = append(notes, "An interpreter is needed.")
		}
		out[i] = CalendarEvent{
			UID: a.ID + "@carecoord", Start: a.StartsAt, End: a.Ends(),
			Summary: a.Purpose + " — " + a.WithName, Location: a.Location, Description: strings.Join(notes, "\n"),
		}
	}
	return out
}

// WriteCalendar writes events as an iCalendar file (RFC 5545): CRLF line
// endings, lines folded at 75 octets without splitting a character, text
// escaped, and every time in UTC, so no time zone definitions are needed.
// stamp is when the file was made (DTSTAMP).
func WriteCalendar(w io.Writer, name string, events []CalendarEvent, stamp time.Time) error {
	b := bufio.NewWriter(w)
	line := func(s string) { writeFolded(b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//CareCoord//Appointments//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(name))
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + utc(stamp))
		line("DTSTART:" + utc(e.Start))
		line("DTEND:" + utc(e.End))
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + escapeText(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + escapeText(e.Description))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Flush()
}

// utc is a DATE-TIME in UTC form (RFC 5545 3.3.5, form #2).
func utc(t time.Time) string { return t.UTC().Format(calendar.ICalUTC) }

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma, and line breaks as \n.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\n", `\n`).Replace(s)
}

// writeFolded writes one content line ending in CRLF, folded so that no
// line is longer than 75 octets (RFC 5545 3.1): a continuation starts with
// one space, which counts towards its 75.
func writeFolded(b *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
