/*
 * fuzz_proxy.c: the PROXY protocol header parser (src/lib/proxy.c).
 *
 * Input: the octets a connection starts with.
 *
 * Invariants: an accepted header is no longer than the input nor than
 * the protocol's limits, and its addresses are printable numeric text;
 * the answer for the whole input does not change when more octets
 * follow it (what follows a header belongs to the session), and every
 * shorter prefix of an accepted header asks for more, never refuses (a
 * header cut by TCP is never taken for a bad one); a refusal says why.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "lib/proxy.h"

static void
check_addr(const char *a)
{
	size_t n = strnlen(a, PROXY_ADDR_MAX);

	REQUIRE(n < PROXY_ADDR_MAX);
	for (size_t i = 0; i < n; i++)
		REQUIRE((a[i] >= '0' && a[i] <= '9') ||
		    (a[i] >= 'a' && a[i] <= 'f') || a[i] == '.' || a[i] == ':');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_info pi, more;
	enum proxy_result r = proxy_parse(data, size, &pi);
	uint8_t *longer;

	if (r == PROXY_BAD) {
		REQUIRE(pi.why != NULL);
		return 0;
	}
	/* the same answer with octets after it */
	longer = malloc(size + 64);
	REQUIRE(longer != NULL);
	memcpy(longer, data, size);
	memset(longer + size, 'Q', 64);
	if (r == PROXY_OK) {
		REQUIRE(pi.len > 0 && pi.len <= size);
		REQUIRE(pi.version == 1 || pi.version == 2);
		REQUIRE(pi.len <= (pi.version == 1 ? PROXY_V1_MAX : PROXY_V2_MAX));
		if (!pi.local) {
			check_addr(pi.src);
			check_addr(pi.dst);
			REQUIRE(pi.src[0] && pi.sport <= 65535 && pi.dport <= 65535);
		}
		REQUIRE(proxy_parse(longer, size + 64, &more) == PROXY_OK);
		REQUIRE(more.len == pi.len && more.local == pi.local);
		REQUIRE(strcmp(more.src, pi.src) == 0 && more.sport == pi.sport);
		for (size_t k = 0; k < pi.len; k++)
			REQUIRE(proxy_parse(data, k, &more) == PROXY_MORE);
	}
	free(longer);
	return 0;
}
