package domain

// The two paths of Decode and DecodeData, for the tests that compare them.
var (
	DecodeFast        = decodeFast
	DecodeChecked     = decodeChecked
	DecodeDataFast    = decodeDataFast
	DecodeDataChecked = decodeDataChecked
)
