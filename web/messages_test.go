package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every page module's strings exist in English and in Chinese, and every
// t("key") its code asks for is defined.

func TestPlannerMessagesBothLanguages(t *testing.T) {
	checkMessagesBothLanguages(t, filepath.Join("ui", "src", "planner"), 100, filepath.Join("ui", "src", "i18n.ts"), filepath.Join("ui", "src", "dialog.ts"))
}

func TestLeadershipMessagesBothLanguages(t *testing.T) {
	checkMessagesBothLanguages(t, filepath.Join("ui", "src", "leadership"), 80, filepath.Join("ui", "src", "i18n.ts"))
}

func TestBalanceMessagesBothLanguages(t *testing.T) {
	checkMessagesBothLanguages(t, filepath.Join("ui", "src", "balance"), 60, filepath.Join("ui", "src", "i18n.ts"), filepath.Join("ui", "src", "dialog.ts"))
}

func TestRouteMessagesBothLanguages(t *testing.T) {
	checkMessagesBothLanguages(t, filepath.Join("ui", "src", "route"), 60, filepath.Join("ui", "src", "i18n.ts"), filepath.Join("ui", "src", "lists", "messages.ts"))
}

// checkMessagesBothLanguages checks a page module's messages.ts (its en
// and zh dictionaries hold the same keys, at least minKeys) and that every
// t("key") of the module's .ts files is defined there or in one of shell;
// it returns the English keys, sorted.
func checkMessagesBothLanguages(t *testing.T, dir string, minKeys int, shell ...string) (enKeys []string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "messages.ts"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	zhAt := strings.Index(text, "export const zh")
	if zhAt < 0 {
		t.Fatal("messages.ts has no zh dictionary")
	}
	key := regexp.MustCompile(`(?m)^\s*"([a-zA-Z0-9_.]+)":`)
	keys := func(s string) []string {
		var out []string
		for _, m := range key.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	en, zh := keys(text[:zhAt]), keys(text[zhAt:])
	if len(en) < minKeys {
		t.Fatalf("found only %d English keys: the parser is off", len(en))
	}
	for _, k := range en {
		if _, ok := slices.BinarySearch(zh, k); !ok {
			t.Errorf("%s: English only", k)
		}
	}
	for _, k := range zh {
		if _, ok := slices.BinarySearch(en, k); !ok {
			t.Errorf("%s: Chinese only", k)
		}
	}
	// Every key the code asks for, literally or in a conditional
	// (t(x ? "a" : "b"), fact("key", …), tile("key", …)).
	used := map[string]bool{}
	call := regexp.MustCompile(`\b(?:t|fact|tile)\(\s*"([a-zA-Z0-9_.]+)"`)
	cond := regexp.MustCompile(`\bt\([^()"]*\?\s*"([a-zA-Z0-9_.]+)"\s*:\s*"([a-zA-Z0-9_.]+)"`)
	files, err := filepath.Glob(filepath.Join(dir, "*.ts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		for _, m := range cond.FindAllStringSubmatch(string(b), -1) {
			used[m[1]], used[m[2]] = true, true
		}
	}
	var shellText strings.Builder
	for _, f := range shell {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		shellText.Write(b)
	}
	for k := range used {
		if _, ok := slices.BinarySearch(en, k); !ok && !strings.Contains(shellText.String(), `"`+k+`":`) {
			t.Errorf("t(%q) is used but never defined", k)
		}
	}
	return en
}
