package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/eccs/eccs/internal/eccs"
)

func TestContractListSaysMoreThanTheCapWhenASearchCountStopped(t *testing.T) {
	pages, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	full := make([]eccs.Contract, contractsPageSize)
	for i := range full {
		full[i].ID = "OCB" + strings.Repeat("0", 6) + string(rune('0'+i%10))
	}
	over := eccs.MaxContractSearchTotal + 1
	for _, tc := range []struct {
		name      string
		lang      Lang
		list      []eccs.Contract
		search    string
		total     int
		page      int
		want      []string
		wantNext  bool
		forbidden string
	}{
		{"an exact total shows the count and the pages", "en", full, "bench", 40, 1, []string{"(40)", "Page 1 / 2"}, true, "more than"},
		{"a capped total says more than 1,000 in English", "en", full, "bench", over, 3, []string{"(more than 1,000)", "Page 3</span>"}, true, "/ "},
		{"a capped total says plus de 1 000 in French", "fr", full, "bench", over, 1, []string{"(plus de 1\u00a0000)"}, true, "(1001)"},
		{"a short page after the cap has no next page", "en", full[:3], "bench", over, 50, []string{"(more than 1,000)", "Page 50</span>"}, false, "/ "},
		{"a list without search is never capped", "en", full, "  ", over, 1, []string{"(1001)", "Page 1 / 41"}, true, "more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := newContractList(tc.list, tc.search, tc.total, tc.page)
			var buf bytes.Buffer
			if err := pages.byName["contracts"].Execute(&buf, view{Lang: tc.lang, Title: "contracts.title", Data: data}); err != nil {
				t.Fatal(err)
			}
			html := buf.String()
			caption := html[strings.Index(html, "<caption"):strings.Index(html, "</caption>")]
			pager := html[strings.Index(html, `<nav class="pager"`):]
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			if strings.Contains(caption+pager[:strings.Index(pager, "</span>")], tc.forbidden) {
				t.Errorf("the page shows %q", tc.forbidden)
			}
			if got := strings.Contains(pager, `rel="next"`); got != tc.wantNext {
				t.Errorf("next page link = %v, want %v", got, tc.wantNext)
			}
		})
	}
}
