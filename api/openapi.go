package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openapiYAML is the OpenAPI 3 document of the API; a test holds it equal to the routes registered.
//
//go:embed openapi.yaml
var openapiYAML string

// OpenAPI returns the OpenAPI 3 document of the API, in YAML.
func OpenAPI() []byte { return []byte(openapiYAML) }

// serveOpenAPI answers GET /openapi.yaml.
func serveOpenAPI(c *gin.Context) error {
	writeWhole(c, http.StatusOK, "application/yaml", []byte(openapiYAML))
	return nil
}
