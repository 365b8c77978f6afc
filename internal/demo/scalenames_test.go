package demo

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// At the size of the big scale tenant, names have a register's shape: the
// commonest family name held by under 2% (Smith is about 0.8% in the US
// census), thousands of family names, half of them held once or twice,
// and spellings beyond ASCII letters.
func TestScaleNames_HaveARealWorldSpreadAt100000(t *testing.T) {
	names := newScaleNames(rand.New(rand.NewPCG(1, 2)))
	family, given := map[string]int{}, map[string]int{}
	accented, hyphenated := 0, 0
	const n = 100_000
	for i := range n {
		f, g := names.Family(), names.Given(i%2 == 0)
		family[f]++
		given[g]++
		if strings.ContainsFunc(f+g, func(r rune) bool { return r > unicode.MaxASCII }) {
			accented++
		}
		if strings.ContainsAny(f, "-'") {
			hyphenated++
		}
	}
	top, rare := 0, 0
	for _, c := range family {
		top = max(top, c)
		if c <= 2 {
			rare++
		}
	}
	if len(family) < 3000 || len(given) < 2000 || top > n/50 || top < n/500 || rare < len(family)/3 || accented < n/20 || hyphenated < n/50 {
		t.Errorf("%d family names (commonest %d, %d held at most twice), %d given, %d accented, %d hyphenated or with an apostrophe",
			len(family), top, rare, len(given), accented, hyphenated)
	}
}
