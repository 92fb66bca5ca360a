/*
 * test_pseudo - keyed pseudonyms (common/pseudo.c): HMAC-SHA-256 against
 * the test vectors of RFC 4231 (section 4, cases 1 to 7), the hex and
 * base32 spellings against RFC 4648's alphabet (values from Python's hmac
 * and base64 modules), and the key file's checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "pseudo.h"

static void
hex_of(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void
test_rfc4231(void)
{
	static const struct {
		size_t keylen;
		int keybyte;        /* -1: 0x01, 0x02, ... (case 4); -2: "Jefe" */
		const char *data;
		size_t datalen;
		int databyte;       /* data is datalen copies of it when data is NULL */
		const char *mac;    /* hex; case 5 is truncated to 128 bits */
	} tc[] = {
		{ 20, 0x0b, "Hi There", 8, 0,
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ 4, -2, "what do ya want for nothing?", 28, 0,
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ 20, 0xaa, NULL, 50, 0xdd,
		  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
		{ 25, -1, NULL, 50, 0xcd,
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		{ 20, 0x0c, "Test With Truncation", 20, 0, "a3b6167473100ee06e0c796c2955552b" },
		{ 131, 0xaa, "Test Using Larger Than Block-Size Key - Hash Key First", 54, 0,
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
		{ 131, 0xaa, "This is a test using a larger than block-size key and a larger than "
		  "block-size data. The key needs to be hashed before being used by the HMAC "
		  "algorithm.", 152, 0,
		  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	};
	unsigned char key[131], mac[32];
	char data[160], got[65], name[64];
	struct diag d;
	size_t i, j;

	for (i = 0; i < sizeof tc / sizeof tc[0]; i++) {
		struct pseudo *p;
		for (j = 0; j < tc[i].keylen; j++)
			key[j] = tc[i].keybyte == -1 ? (unsigned char)(j + 1) :
			    tc[i].keybyte == -2 ? (unsigned char)"Jefe"[j] : (unsigned char)tc[i].keybyte;
		if (tc[i].data != NULL)
			memcpy(data, tc[i].data, tc[i].datalen);
		else
			memset(data, tc[i].databyte, tc[i].datalen);
		p = pseudo_new(key, tc[i].keylen, PSEUDO_HEX, 0, &d);
		snprintf(name, sizeof name, "RFC 4231 test case %zu", i + 1);
		if (p == NULL) {
			CHECK(0, name);
			continue;
		}
		pseudo_mac(p, data, tc[i].datalen, mac);
		hex_of(mac, 32, got);
		got[strlen(tc[i].mac)] = '\0';
		CHECK_STR(got, tc[i].mac, name);
		pseudo_free(p);
	}
}

static void
test_spellings(void)
{
	static const unsigned char key[] = "a-secret-key-of-32-bytes-length!";
	struct pseudo *p;
	struct diag d;
	char out[80];

	/* Python: hmac.new(key, b"alice", "sha256"), hexdigest() and b32encode(). */
	p = pseudo_new(key, 32, PSEUDO_HEX, 0, &d);
	CHECK(pseudo_apply(p, "alice", 5, out) == 64, "hex: 64 characters");
	CHECK_STR(out, "1de1595a701057279d77b3108cb458f8aea1e4e169dd36ffe03d55475f6baa4e", "hex");
	pseudo_free(p);
	p = pseudo_new(key, 32, PSEUDO_BASE32, 0, &d);
	CHECK(pseudo_apply(p, "alice", 5, out) == 52, "base32: 52 characters");
	CHECK_STR(out, "dxqvswtqcblsphlxwmiizncy7cxkdzhbnhotn77ahvkuox3lvjha", "base32");
	pseudo_free(p);
	p = pseudo_new(key, 32, PSEUDO_HEX, 16, &d);
	CHECK(pseudo_apply(p, "alice", 5, out) == 16 && strcmp(out, "1de1595a70105727") == 0,
	    "hex cut to 16");
	pseudo_free(p);
	p = pseudo_new(key, 32, PSEUDO_BASE32, 17, &d);
	CHECK(pseudo_apply(p, "alice", 5, out) == 17 && strcmp(out, "dxqvswtqcblsphlxw") == 0,
	    "base32 cut to 17");
	pseudo_free(p);
	CHECK(pseudo_new(key, 32, PSEUDO_HEX, 15, &d) == NULL, "a pseudonym of 15 is refused");
	CHECK(pseudo_new(key, 32, PSEUDO_BASE32, 53, &d) == NULL, "base32 past 52 is refused");
	/* A NUL byte is part of the value. */
	p = pseudo_new(key, 32, PSEUDO_HEX, 0, &d);
	{
		char a[80];
		pseudo_apply(p, "ab\0c", 4, a);
		pseudo_apply(p, "ab", 2, out);
		CHECK(strcmp(a, out) != 0, "a NUL inside a value counts");
	}
	pseudo_free(p);
}

static void
test_key_file(void)
{
	char dir[] = "/tmp/test_pseudo.XXXXXX", path[64], out1[80], out2[80];
	struct pseudo *p;
	struct diag d;
	FILE *fp;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/key", dir);
	fp = fopen(path, "w");
	fputs("a-secret-key-of-32-bytes-length!\n", fp);
	fclose(fp);
	chmod(path, 0644);
	CHECK(pseudo_open(path, PSEUDO_HEX, 0, &d) == NULL &&
	    strstr(d.what, "read or written by others") != NULL, "a key readable by others");
	chmod(path, 0640);
	CHECK(pseudo_open(path, PSEUDO_HEX, 0, &d) == NULL, "a key readable by the group");
	chmod(path, 0600);
	p = pseudo_open(path, PSEUDO_HEX, 0, &d);
	CHECK(p != NULL, "a key of mode 600");
	if (p != NULL) {
		struct pseudo *q = pseudo_new((const unsigned char *)"a-secret-key-of-32-bytes-length!",
		    32, PSEUDO_HEX, 0, &d);
		pseudo_apply(p, "bob", 3, out1);
		pseudo_apply(q, "bob", 3, out2);
		CHECK(strcmp(out1, out2) == 0, "the key file's final newline is not part of the key");
		pseudo_free(q);
		pseudo_free(p);
	}
	fp = fopen(path, "w");
	fputs("short\n", fp);
	fclose(fp);
	CHECK(pseudo_open(path, PSEUDO_HEX, 0, &d) == NULL && strstr(d.what, "shorter") != NULL &&
	    strstr(d.what, "short\"") == NULL, "a short key is refused and not echoed");
	CHECK(pseudo_open(dir, PSEUDO_HEX, 0, &d) == NULL && strstr(d.what, "regular") != NULL,
	    "a directory is not a key file");
	unlink(path);
	CHECK(pseudo_open(path, PSEUDO_HEX, 0, &d) == NULL && strstr(d.what, "cannot read") != NULL,
	    "a missing key file");
	rmdir(dir);
}

int
main(void)
{
	test_rfc4231();
	test_spellings();
	test_key_file();
	return check_done();
}
