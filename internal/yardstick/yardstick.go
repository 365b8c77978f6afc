// Package yardstick measures what CareCoord's web stack costs on top of the
// database work a page needs. In record mode the server keeps, for each GET
// it answered with 200, the statements it ran (through a pgx tracer) and the
// bytes it wrote; a bare net/http handler then answers the same URL by
// running the same statements with the same arguments on a connection of its
// own and writing the recorded bytes. The load command requests both in
// turn, and the throughput ratio app / yardstick says how far the stack is
// from the naive limit of "the same SQL, the same bytes".
//
// Record mode is for measuring on synthetic data only (it keeps page bodies
// in memory): the server turns it on when YARDSTICK_ADDR is set.
package yardstick

import (
	"bytes"
	"context"
	"net/http"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// maxBody bounds one recorded response (a CSV export is not a page).
const maxBody = 4 << 20

// Statement is one round trip the page made: its SQL and arguments as the
// app passed them to pgx. A batch is recorded as one Statement holding the
// batch's queries, and replayed one query at a time: the yardstick is the
// naive handler that runs the page's statements in order, each its own
// round trip, so batching is part of what the app's ratio shows (issue 22
// asks the batched chart to serve 1.5 times the yardstick).
type Statement struct {
	SQL   string
	Args  []any
	Batch []Statement
}

// Recording is one page as the app served it.
type Recording struct {
	Statements  []Statement
	ContentType string
	Body        []byte
}

// Recorder is a pgx tracer and an HTTP middleware: install it on the app's
// pool (pgxpool.Config.ConnConfig.Tracer) and around the app's handler.
type Recorder struct {
	mu    sync.RWMutex
	pages map[string]Recording // by request URI
}

// NewRecorder starts with nothing recorded.
func NewRecorder() *Recorder { return &Recorder{pages: map[string]Recording{}} }

type traceKey struct{}

// trace collects one request's statements; pgx may call the tracer from the
// request's goroutine only, but a handler could fan out, hence the lock.
type trace struct {
	mu    sync.Mutex
	stmts []Statement
	batch *Statement
}

func (t *trace) add(s Statement) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.batch != nil {
		t.batch.Batch = append(t.batch.Batch, s)
		return
	}
	t.stmts = append(t.stmts, s)
}

func traceOf(ctx context.Context) *trace {
	t, _ := ctx.Value(traceKey{}).(*trace)
	return t
}

// TraceQueryStart records a statement run under a recorded request. Work
// outside one (the session store, which passes no request context; the
// background jobs) is not recorded.
func (r *Recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if t := traceOf(ctx); t != nil {
		t.add(Statement{SQL: d.SQL, Args: d.Args})
	}
	return ctx
}

// TraceQueryEnd is required by pgx.QueryTracer; nothing is kept from it.
func (r *Recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart opens a batch: its queries are collected into one Statement.
func (r *Recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	if t := traceOf(ctx); t != nil {
		t.mu.Lock()
		t.batch = &Statement{}
		t.mu.Unlock()
	}
	return ctx
}

// TraceBatchQuery records one query of the open batch.
func (r *Recorder) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	if t := traceOf(ctx); t != nil {
		t.mu.Lock()
		if t.batch != nil {
			t.batch.Batch = append(t.batch.Batch, Statement{SQL: d.SQL, Args: d.Args})
		}
		t.mu.Unlock()
	}
}

// TraceBatchEnd closes the batch as one round trip.
func (r *Recorder) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	if t := traceOf(ctx); t != nil {
		t.mu.Lock()
		if t.batch != nil {
			t.stmts = append(t.stmts, *t.batch)
			t.batch = nil
		}
		t.mu.Unlock()
	}
}

// Tune installs the recorder as the pool's tracer.
func (r *Recorder) Tune(c *pgxpool.Config) { c.ConnConfig.Tracer = r }

// RecordHeader asks for a request to be recorded. Only requests that carry
// it are, so that the pages kept in memory do not weigh on the memory
// measured under the mix.
const RecordHeader = "Yardstick-Record"

// Record wraps the app: each GET carrying RecordHeader and answered 200
// replaces the recording of its URL.
func (r *Recorder) Record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet || req.Header.Get(RecordHeader) == "" {
			next.ServeHTTP(w, req)
			return
		}
		t := &trace{}
		cw := &capture{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(cw, req.WithContext(context.WithValue(req.Context(), traceKey{}, t)))
		if cw.status != http.StatusOK || cw.body.Len() > maxBody {
			return
		}
		t.mu.Lock()
		rec := Recording{Statements: t.stmts, ContentType: w.Header().Get("Content-Type"), Body: bytes.Clone(cw.body.Bytes())}
		t.mu.Unlock()
		r.mu.Lock()
		r.pages[req.URL.RequestURI()] = rec
		r.mu.Unlock()
	})
}

// Page is the recording of uri, if the app has served it.
func (r *Recorder) Page(uri string) (Recording, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	rec, ok := r.pages[uri]
	return rec, ok
}

// capture keeps a copy of what the app writes.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(p []byte) (int, error) {
	if c.body.Len() <= maxBody {
		c.body.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

// Replayer is the bare handler: for a recorded URL it runs the recorded
// statements in order on one connection (they include the app's own begin,
// set_config and commit) reading every row, then writes the recorded bytes.
// An unrecorded URL is a 404, so a run that compares pages the app never
// served fails loudly.
type Replayer struct {
	Pool     *pgxpool.Pool
	Recorder *Recorder
}

func (p Replayer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec, ok := p.Recorder.Page(r.URL.RequestURI())
	if !ok {
		http.Error(w, "not recorded", http.StatusNotFound)
		return
	}
	if err := p.replay(r.Context(), rec.Statements); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", rec.ContentType)
	_, _ = w.Write(rec.Body)
}

func (p Replayer) replay(ctx context.Context, stmts []Statement) error {
	conn, err := p.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, s := range stmts {
		if err := run(ctx, conn.Conn(), s); err != nil {
			// Leave no transaction open on a connection going back to the pool.
			_, _ = conn.Exec(context.WithoutCancel(ctx), "rollback")
			return err
		}
	}
	return nil
}

func run(ctx context.Context, conn *pgx.Conn, s Statement) error {
	for _, q := range s.Batch {
		if err := run(ctx, conn, q); err != nil {
			return err
		}
	}
	if s.Batch != nil {
		return nil
	}
	if len(s.Args) == 0 {
		// Without arguments pgx sends the text as it is (the simple
		// protocol), as the app does for its begin-and-bind of a tenant's
		// transaction, which is two statements in one message.
		_, err := conn.Exec(ctx, s.SQL)
		return err
	}
	rows, err := conn.Query(ctx, s.SQL, s.Args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		if _, err := rows.Values(); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	return rows.Err()
}
