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
