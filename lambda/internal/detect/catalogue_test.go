package detect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCatalogueIsValid(t *testing.T) {
	rules := Catalogue()
	require.NoError(t, Validate(rules))
	assert.GreaterOrEqual(t, len(rules), 60, "catalogue size")
}
