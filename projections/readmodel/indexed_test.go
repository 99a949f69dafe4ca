package readmodel

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// amountSeeds are amounts as a flag's JSON holds them, and shapes readAmounts must hand to a JSON decoder.
var amountSeeds = []string{
	`[{"amount":"9000.00","currency":"NPR"}]`,
	`[{"amount":"120.00","currency":"MYR"},{"amount":"5000.00","currency":"NPR"}]`,
	`[{"amount":"1"}]`,
	`[{"amount":"1","currency":"a\"b"}]`,
	`[]`, `[{"currency":"USD","amount":"2"}]`, `[ {"amount":"3"} ]`, `[{"amount":"4","currency":"é"}]`,
}

func TestAmountsAreReadAsAJSONDecoderReadsThem(t *testing.T) {
	t.Parallel()
	for _, text := range amountSeeds {
		t.Run(text, func(t *testing.T) {
			t.Parallel()
			checkAmounts(t, text)
		})
	}
}

func FuzzAmountsAreReadAsAJSONDecoderReadsThem(f *testing.F) {
	for _, text := range amountSeeds {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var ms []domain.Money
		if json.Unmarshal([]byte(text), &ms) != nil {
			return // a flag's amounts are JSON, written by encoding/json
		}
		checkAmounts(t, text)
	})
}

func checkAmounts(t *testing.T, text string) {
	t.Helper()
	var want []domain.Money
	if err := json.Unmarshal([]byte(text), &want); err != nil {
		t.Fatal(err)
	}
	got, err := readAmounts(text)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("readAmounts(%s) = %#v, %v; want %#v", text, got, err, want)
	}
}
