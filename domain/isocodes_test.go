package domain

import "testing"

func TestISOCodes(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) bool
		code  string
		want  bool
	}{
		// Currencies (ISO 4217).
		{"currency MYR is valid", IsCurrency, "MYR", true},
		{"currency NPR is valid", IsCurrency, "NPR", true},
		{"currency BDT is valid", IsCurrency, "BDT", true},
		{"currency PHP is valid", IsCurrency, "PHP", true},
		{"currency INR is valid", IsCurrency, "INR", true},
		{"currency IDR is valid", IsCurrency, "IDR", true},
		{"currency SAR is valid", IsCurrency, "SAR", true},
		{"currency QAR is valid", IsCurrency, "QAR", true},
		{"currency AED is valid", IsCurrency, "AED", true},
		{"currency TWD is valid", IsCurrency, "TWD", true},
		{"currency USD is valid", IsCurrency, "USD", true},
		{"currency lower-case myr is rejected", IsCurrency, "myr", false},
		{"currency XXX (no currency) is rejected", IsCurrency, "XXX", false},
		{"currency XTS (testing) is rejected", IsCurrency, "XTS", false},
		{"currency unassigned ZZZ is rejected", IsCurrency, "ZZZ", false},
		{"currency empty is rejected", IsCurrency, "", false},

		// Countries (ISO 3166-1 alpha-2).
		{"country NP is valid", IsCountry, "NP", true},
		{"country BD is valid", IsCountry, "BD", true},
		{"country PH is valid", IsCountry, "PH", true},
		{"country IN is valid", IsCountry, "IN", true},
		{"country ID is valid", IsCountry, "ID", true},
		{"country MY is valid", IsCountry, "MY", true},
		{"country SA is valid", IsCountry, "SA", true},
		{"country QA is valid", IsCountry, "QA", true},
		{"country AE is valid", IsCountry, "AE", true},
		{"country TW is valid", IsCountry, "TW", true},
		{"country GB is valid", IsCountry, "GB", true},
		{"country UK is rejected (GB is the ISO code)", IsCountry, "UK", false},
		{"country lower-case my is rejected", IsCountry, "my", false},
		{"country empty is rejected", IsCountry, "", false},

		// Languages (ISO 639-1).
		{"language ne is valid", IsLanguage, "ne", true},
		{"language bn is valid", IsLanguage, "bn", true},
		{"language tl is valid", IsLanguage, "tl", true},
		{"language en is valid", IsLanguage, "en", true},
		{"language id is valid", IsLanguage, "id", true},
		{"language ms is valid", IsLanguage, "ms", true},
		{"language ar is valid", IsLanguage, "ar", true},
		{"language hi is valid", IsLanguage, "hi", true},
		{"language zh is valid", IsLanguage, "zh", true},
		{"language upper-case EN is rejected", IsLanguage, "EN", false},
		{"language unassigned xx is rejected", IsLanguage, "xx", false},
		{"language three-letter eng is rejected", IsLanguage, "eng", false},
		{"language empty is rejected", IsLanguage, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(tt.code); got != tt.want {
				t.Errorf("check(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}
