package domain

// Organisation roles.
const (
	RoleBuyer    = "buyer"
	RoleEmployer = "employer"
	RoleAgency   = "agency"
	RoleSubAgent = "sub_agent"
	RoleAuditor  = "auditor"
	// RoleWorkerOrganisation is spec section 8's: a trade union, worker centre or migrant NGO.
	RoleWorkerOrganisation = "worker_organisation"
)

var orgRoles = []string{RoleBuyer, RoleEmployer, RoleAgency, RoleSubAgent, RoleAuditor, RoleWorkerOrganisation}

// Roles of an agency on a job order.
const (
	AgencyDestination = "destination_agency"
	AgencyOrigin      = "origin_agency"
	AgencySubAgent    = "sub_agent"
)

var agencyRoles = []string{AgencyDestination, AgencyOrigin, AgencySubAgent}

// Fee categories, after the ILO 2019 definition of recruitment fees and related costs.
const (
	FeeRecruitment = "recruitment_fee"
	FeeMedical     = "medical"
	FeeInsurance   = "insurance"
	FeeSkillsTest  = "skills_test"
	FeeTraining    = "training"
	FeeEquipment   = "equipment"
	FeeTravel      = "travel"
	FeeVisa        = "visa"
	FeeDocuments   = "documents"
	FeeDeposit     = "deposit"
	FeeBribe       = "bribe"
	FeeOther       = "other"
)

// FeeCategories lists every fee category in catalogue order.
var FeeCategories = []string{FeeRecruitment, FeeMedical, FeeInsurance, FeeSkillsTest, FeeTraining,
	FeeEquipment, FeeTravel, FeeVisa, FeeDocuments, FeeDeposit, FeeBribe, FeeOther}

// AllCategories is the rule category that covers every fee category.
const AllCategories = "*"

// Who paid a fee.
const (
	PayerWorker   = "worker"
	PayerEmployer = "employer"
	PayerAgency   = "agency"
)

var payers = []string{PayerWorker, PayerEmployer, PayerAgency}

var payMethods = []string{"cash", "bank_transfer", "loan", "wage_deduction", "other"}

// Loan purposes.
const (
	LoanRecruitment = "recruitment"
	LoanOther       = "other"
)

var loanPurposes = []string{LoanRecruitment, LoanOther}

// Contract stages.
const (
	StagePreDeparture = "pre_departure"
	StageAtDeparture  = "at_departure"
	StagePostArrival  = "post_arrival"
	StageRenewal      = "renewal"
)

var contractStages = []string{StagePreDeparture, StageAtDeparture, StagePostArrival, StageRenewal}

// Documents that can be held.
const (
	DocPassport   = "passport"
	DocIDCard     = "id_card"
	DocWorkPermit = "work_permit"
	DocContract   = "contract"
	DocOther      = "other"
)

// Documents lists the documents that can be held, as the events name them.
var Documents = []string{DocPassport, DocIDCard, DocWorkPermit, DocContract, DocOther}

var exitReasons = []string{"contract_completed", "resigned", "terminated", "repatriated", "absconded",
	"deceased", "other"}
