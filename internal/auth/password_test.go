package auth

import (
	"strings"
	"testing"
)

func TestHashPassword_VerifiesOnlyTheSamePassword(t *testing.T) {
	t.Parallel()
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not carry OWASP's argon2id parameters", hash)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := CheckPassword(hash, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

func TestHashPassword_SaltsEachHash(t *testing.T) {
	t.Parallel()
	a, _ := HashPassword("same password")
	b, _ := HashPassword("same password")
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheckPassword_RejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x$c2FsdA$a2V5"} {
		if _, err := CheckPassword(h, "x"); err == nil {
			t.Errorf("CheckPassword(%q) accepted a malformed hash", h)
		}
	}
}

func TestTimingHash_IsWellFormed(t *testing.T) {
	t.Parallel()
	if ok, err := CheckPassword(timingHash, "guess"); err != nil || ok {
		t.Errorf("CheckPassword(timingHash) = %v, %v", ok, err)
	}
}
