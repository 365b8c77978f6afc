package patients

import (
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the patient record's use cases. Each takes the acting
// tenants.Actor, runs in the tenant's transaction, and writes its change
// together with the patient's timeline line and the audit event, or
// nothing at all.
type Service struct {
	pool *pgxpool.Pool
}

// NewService is the patient record's use cases over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }
