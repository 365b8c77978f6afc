package server

import (
	"context"
	"net/http"
)

// Every wait is bounded (issue 21). bounded gives each request a deadline
// that everything it does inherits — taking a connection from the pool,
// connecting, every statement, the session store — so that when the
// database stops answering the page gives up and says so (503, see
// errUnavailable) instead of hanging. PostgreSQL's own statement_timeout
// (db.Limits) stops the statement on the server side too.
func (s *Server) bounded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.requestTimeout)
		defer cancel()
		next.ServeHTTP(&sealableWriter{ResponseWriter: w}, r.WithContext(ctx))
	})
}

// sessionFailed answers a failure of the session store. scs calls it when
// loading the session fails, before the page runs, and when saving the
// session fails, which happens as the page's first byte goes out: then the
// error page replaces the page, whose own status and bytes are dropped.
func (s *Server) sessionFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.renderError(w, r, err)
	if sw, ok := w.(*sealableWriter); ok {
		sw.sealed = true
	}
}

// sealableWriter is the response under the session middleware; once
// sealed it lets nothing more through.
type sealableWriter struct {
	http.ResponseWriter
	sealed bool
}

func (w *sealableWriter) WriteHeader(status int) {
	if !w.sealed {
		w.ResponseWriter.WriteHeader(status)
	}
}

func (w *sealableWriter) Write(b []byte) (int, error) {
	if w.sealed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *sealableWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
