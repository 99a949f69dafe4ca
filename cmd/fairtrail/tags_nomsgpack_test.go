//go:build nomsgpack

package main

// msgpackTag is the build tag nomsgpack if this test binary was built with it (gin without its MessagePack
// codec, as ops/test builds), so that the binaries the tests build are built the same: see fairtrailBinary.
const msgpackTag = "nomsgpack"
