package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// SecretBox seals authenticator secrets before they are stored, with the
// key of MFA_KEY (AES-256-GCM): a copy of the database alone does not let
// anyone make codes. Without a key (local runs, the demo) secrets are
// stored as they are; each stored value says which way it was written, so
// setting a key later leaves earlier enrolments readable.
type SecretBox struct {
	aead cipher.AEAD
}

// Stored forms of a secret: the first byte says which.
const (
	secretPlain  byte = 0
	secretSealed byte = 1
)

// NewSecretBox seals with key (32 bytes, base64 in MFA_KEY); an empty key
// stores secrets unsealed.
func NewSecretBox(key []byte) (*SecretBox, error) {
	if len(key) == 0 {
		return &SecretBox{}, nil
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("the MFA key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &SecretBox{aead: aead}, nil
}

// Sealed reports whether secrets are stored sealed.
func (b *SecretBox) Sealed() bool { return b.aead != nil }

// seal is secret as stored. The user's id is bound in, so a sealed secret
// copied to another user's row does not open.
func (b *SecretBox) seal(userID, secret string) []byte {
	if b.aead == nil {
		return append([]byte{secretPlain}, secret...)
	}
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := append([]byte{secretSealed}, nonce...)
	return b.aead.Seal(out, nonce, []byte(secret), []byte(userID))
}

// open is the secret that stored holds.
func (b *SecretBox) open(userID string, stored []byte) (string, error) {
	if len(stored) == 0 {
		return "", errors.New("empty stored secret")
	}
	switch stored[0] {
	case secretPlain:
		return string(stored[1:]), nil
	case secretSealed:
		if b.aead == nil {
			return "", errors.New("an authenticator secret is sealed but MFA_KEY is not set")
		}
		n := b.aead.NonceSize()
		if len(stored) < 1+n {
			return "", errors.New("stored secret too short")
		}
		plain, err := b.aead.Open(nil, stored[1:1+n], stored[1+n:], []byte(userID))
		return string(plain), err
	}
	return "", fmt.Errorf("stored secret of unknown form %d", stored[0])
}
