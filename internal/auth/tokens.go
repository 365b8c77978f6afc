package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewToken returns a random secret for a link (invitation, password reset)
// and the SHA-256 hash that is stored in its place: the database never
// holds a token that would let someone in.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	// crypto/rand.Read never fails (Go 1.24+); it crashes the program
	// instead of returning predictable bytes.
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how a token from a link is looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
