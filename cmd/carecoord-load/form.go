package main

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// readForm finds the post form whose action ends with actionSuffix in page
// and returns its action and the values a browser would send untouched:
// inputs with their value (checkboxes and radios only when checked), each
// select's selected option (else its first), textareas' text.
func readForm(page, actionSuffix string) (action string, values url.Values, err error) {
	z := html.NewTokenizer(strings.NewReader(page))
	values = url.Values{}
	inForm := false
	var selectName, firstOption string
	var selected, haveFirst, inTextarea bool
	var textareaName string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if action == "" {
				return "", nil, fmt.Errorf("no form posting to …%s on the page", actionSuffix)
			}
			return action, values, nil
		case html.TextToken:
			if inTextarea {
				values.Set(textareaName, string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			a := attrs(tok)
			switch tok.Data {
			case "form":
				if action == "" && strings.EqualFold(a["method"], "post") && strings.HasSuffix(a["action"], actionSuffix) {
					inForm, action = true, a["action"]
				}
			case "input":
				if !inForm || a["name"] == "" {
					continue
				}
				_, checked := a["checked"]
				if (a["type"] == "checkbox" || a["type"] == "radio") && !checked {
					continue
				}
				values.Set(a["name"], a["value"])
			case "select":
				selectName, firstOption, selected, haveFirst = a["name"], "", false, false
			case "option":
				if !inForm || selectName == "" {
					continue
				}
				if _, ok := a["selected"]; ok {
					values.Set(selectName, a["value"])
					selected = true
				} else if !haveFirst {
					firstOption, haveFirst = a["value"], true
				}
			case "textarea":
				if inForm {
					inTextarea, textareaName = true, a["name"]
					values.Set(textareaName, "")
				}
			}
		case html.EndTagToken:
			tok := z.Token()
			switch tok.Data {
			case "form":
				if inForm {
					return action, values, nil
				}
			case "select":
				if inForm && selectName != "" && !selected {
					values.Set(selectName, firstOption)
				}
				selectName = ""
			case "textarea":
				inTextarea = false
			}
		}
	}
}

func attrs(t html.Token) map[string]string {
	m := make(map[string]string, len(t.Attr))
	for _, a := range t.Attr {
		m[a.Key] = a.Val
	}
	return m
}

// links are the distinct hrefs in page matching re, in order.
func links(page string, re *regexp.Regexp) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range re.FindAllString(page, -1) {
		m = html.UnescapeString(m)
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}
