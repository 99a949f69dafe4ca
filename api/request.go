package api

import (
	"maps"
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/fairtrail/fairtrail/api/keys"
	"github.com/fairtrail/fairtrail/domain"
	"github.com/fairtrail/fairtrail/projections"
	fquery "github.com/fairtrail/fairtrail/projections/query"
)

// requireContentType refuses a body of another media type than those given.
func requireContentType(c *gin.Context, types ...string) error {
	ct := c.GetHeader("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(types, mt) {
		return fail(errUnsupportedMedia, "Content-Type must be %s, not %q", strings.Join(types, " or "), ct)
	}
	return nil
}

// query reads the query string: every parameter must be one of those allowed and given once, so a misspelt
// parameter is an error rather than silently ignored.
func query(c *gin.Context, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(c.Request.URL.RawQuery)
	if err != nil {
		return nil, invalidField("", "malformed query string")
	}
	var fields []domain.FieldError
	for _, name := range slices.Sorted(maps.Keys(q)) {
		switch {
		case !slices.Contains(allowed, name):
			issue := "unknown query parameter"
			if len(allowed) > 0 {
				issue += "; one of " + strings.Join(allowed, ", ")
			}
			fields = append(fields, domain.FieldError{Path: name, Problem: issue})
		case len(q[name]) > 1:
			fields = append(fields, domain.FieldError{Path: name, Problem: "given more than once"})
		}
	}
	if len(fields) > 0 {
		return nil, invalidQuery(fields)
	}
	return q, nil
}

func noQuery(c *gin.Context) error {
	_, err := query(c)
	return err
}

// checkID reports an identifier that cannot name anything: the catalogue's rule for ids.
func checkID(name, v string) *domain.FieldError {
	if keys.CheckOrg(v) != nil {
		return &domain.FieldError{Path: name, Problem: "must be 1-128 letters, digits and . _ - : @, starting with a letter or digit"}
	}
	return nil
}

// pathID is the :id path parameter, checked.
func pathID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if f := checkID("id", id); f != nil {
		return "", invalidFields("invalid id in the path: "+f.Problem, []domain.FieldError{*f})
	}
	return id, nil
}

// timeFilter reads as_of and known_at: RFC 3339 date-times, or dates meaning the end of that day (UTC), as the
// command line reads them.
func timeFilter(q url.Values) (projections.Filter, []domain.FieldError) {
	return fquery.ParseFilter("as_of", q.Get("as_of"), "known_at", q.Get("known_at"))
}
