package synth

// Indexes of the origin countries in origins.
const (
	oNP = iota
	oBD
	oPH
	oIN
	oID
	numOrigins
)

// origin is a country workers are recruited from, and what recruitment there looks like.
type origin struct {
	code     string // ISO 3166-1 alpha-2
	slug     string // lower-case code, for identifiers
	currency string // fees paid at origin are in this currency
	usdRate  float64
	unit     int64   // amounts paid at origin are multiples of this many currency units
	payShare float64 // share of workers who pay something themselves before departure
	// loanShare is the share of all workers who take a recruitment loan (taken only by workers who pay).
	loanShare float64
	// languages are the sets of languages workers speak, with their weights.
	languages []langSet
	// districts are where sub-agents find workers.
	districts []string
	// Agency names are agencyPrefix + one word of each list + agencySuffix.
	agencyWords  [2][]string
	agencyPrefix string
	agencySuffix string
	licence      licenceSpec
}

// langSet is a set of languages a worker speaks, the first one native.
type langSet struct {
	weight int
	codes  []string
}

// licenceSpec is how a country licenses recruitment agencies: number = prefix + digits + suffix.
type licenceSpec struct{ authority, prefix, suffix string }

// origins are the countries of origin, indexed by oNP...oID. The table is never modified.
var origins = [numOrigins]origin{
	oNP: {
		code: "NP", slug: "np", currency: "NPR", usdRate: 133, unit: 500, payShare: 0.90, loanShare: 0.63,
		languages: []langSet{{75, []string{"ne"}}, {15, []string{"ne", "hi"}}, {10, []string{"ne", "en"}}},
		districts: []string{"Dhanusha", "Siraha", "Sarlahi", "Rupandehi", "Morang", "Jhapa", "Kailali", "Dang"},
		agencyWords: [2][]string{
			{"Himalayan", "Everest", "Sagarmatha", "Annapurna", "Gorkha", "Lumbini", "Janakpur", "Makalu"},
			{"Overseas", "Manpower Services", "Human Resource", "Employment Services"},
		},
		agencySuffix: " Pvt. Ltd.",
		licence:      licenceSpec{"Department of Foreign Employment, Nepal", "", "/074/75"},
	},
	oBD: {
		code: "BD", slug: "bd", currency: "BDT", usdRate: 110, unit: 500, payShare: 0.95, loanShare: 0.78,
		languages: []langSet{{90, []string{"bn"}}, {10, []string{"bn", "en"}}},
		districts: []string{"Comilla", "Brahmanbaria", "Tangail", "Chandpur", "Sylhet", "Noakhali", "Kishoreganj",
			"Munshiganj"},
		agencyWords: [2][]string{
			{"Bengal", "Padma", "Meghna", "Jamuna", "Karnaphuli", "Teesta", "Sonargaon", "Surma"},
			{"Overseas", "Manpower Services", "International", "Recruiting Agency"},
		},
		agencySuffix: " Ltd.",
		licence:      licenceSpec{"Bureau of Manpower, Employment and Training (BMET), Bangladesh", "RL-", ""},
	},
	oPH: {
		code: "PH", slug: "ph", currency: "PHP", usdRate: 56, unit: 100, payShare: 0.70, loanShare: 0.20,
		languages: []langSet{{100, []string{"tl", "en"}}},
		districts: []string{"Pangasinan", "Ilocos Norte", "Cebu", "Davao", "Iloilo", "Batangas", "Leyte",
			"Bukidnon"},
		agencyWords: [2][]string{
			{"Luzon", "Visayas", "Mindanao", "Bayanihan", "Maharlika", "Pacific", "Cebu", "Manila"},
			{"Manpower Services", "Placement Agency", "International Recruitment", "Human Resources"},
		},
		agencySuffix: " Inc.",
		licence:      licenceSpec{"Department of Migrant Workers (DMW), Philippines", "DMW-", "-LB"},
	},
	oIN: {
		code: "IN", slug: "in", currency: "INR", usdRate: 83, unit: 500, payShare: 0.75, loanShare: 0.35,
		languages: []langSet{{50, []string{"hi"}}, {25, []string{"hi", "en"}}, {15, []string{"ml", "en"}},
			{10, []string{"pa"}}},
		districts: []string{"Malappuram", "Gopalganj", "Siwan", "Azamgarh", "Jalandhar", "Kannur", "Ganjam",
			"Deoria"},
		agencyWords: [2][]string{
			{"Malabar", "Deccan", "Ganga", "Konkan", "Coromandel", "Punjab", "Bharat", "Kerala"},
			{"Overseas Consultants", "Manpower", "Placement Services", "Recruiting Agency"},
		},
		agencySuffix: " Pvt. Ltd.",
		licence: licenceSpec{"Protector General of Emigrants, Ministry of External Affairs, India", "B-",
			"/MUM/PER/1000+/5"},
	},
	oID: {
		code: "ID", slug: "id", currency: "IDR", usdRate: 15600, unit: 50000, payShare: 0.70, loanShare: 0.40,
		languages: []langSet{{85, []string{"id"}}, {15, []string{"id", "jv"}}},
		districts: []string{"Indramayu", "Cirebon", "Lombok Timur", "Ponorogo", "Banyuwangi", "Cilacap", "Kendal",
			"Blitar"},
		agencyWords: [2][]string{
			{"Nusantara", "Garuda", "Mandiri", "Sejahtera", "Bina", "Citra", "Duta", "Cahaya"},
			{"Tenaga Kerja", "Sumber Daya", "Karya Utama", "Jasa Mandiri"},
		},
		agencyPrefix: "PT ",
		licence:      licenceSpec{"Ministry of Manpower (Kemnaker), Indonesia", "SIP3MI-", ""},
	},
}
