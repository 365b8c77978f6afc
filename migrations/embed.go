// Package migrations holds the goose SQL migrations, embedded in the binary so
// that a deployment needs nothing but the executable.
package migrations

import "embed"

// FS holds every migration file, in goose's numbered order.
//
//go:embed *.sql
var FS embed.FS
