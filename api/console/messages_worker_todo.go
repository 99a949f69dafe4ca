package console

var (
	workerNepali     = map[string]string{}
	workerBengali    = map[string]string{}
	workerHindi      = map[string]string{}
	workerIndonesian = map[string]string{}
	workerTagalog    = map[string]string{}
)
