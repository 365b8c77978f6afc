package web

import (
	"net/http"
	"strconv"
)

func inputType(t string) string {
	if t == "" {
		return "text"
	}
	return t
}

func statusText(status int) string {
	return strconv.Itoa(status) + " · " + http.StatusText(status)
}

func rowsOf(n int) string {
	if n <= 0 {
		n = 3
	}
	return strconv.Itoa(n)
}

func itoa(n int) string { return strconv.Itoa(n) }

// describedBy names the hint and error elements that explain a field, so
// that screen readers announce them with it.
func describedBy(name, hint, err string) string {
	ids := ""
	if hint != "" {
		ids = "h-" + name
	}
	if err != "" {
		if ids != "" {
			ids += " "
		}
		ids += "e-" + name
	}
	return ids
}

// groupID turns a section title into an element id.
func groupID(title string) string {
	out := make([]byte, 0, len(title))
	for i := 0; i < len(title); i++ {
		c := title[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			out = append(out, c)
		case 'A' <= c && c <= 'Z':
			out = append(out, c+'a'-'A')
		default:
			if len(out) > 0 && out[len(out)-1] != '-' {
				out = append(out, '-')
			}
		}
	}
	return string(out)
}

// orYes is a checkbox's value: "yes" unless it has its own.
func orYes(v string) string {
	if v == "" {
		return "yes"
	}
	return v
}
