/* Address parsing, printing and prefix arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "addr.h"

static void test_parse(void **state)
{
	struct vr_ip ip;
	char buf[VR_ADDR_STRLEN];

	(void)state;
	assert_int_equal(vr_ip_parse("198.18.1.1", &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.plen, 32);
	assert_int_equal(vr_ip_parse_prefix("2001:db8:2::1/64", &ip), 0);
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(ip.plen, 64);
	assert_string_equal(vr_ip_str(&ip, true, buf, sizeof(buf)), "2001:db8:2::1/64");
	assert_string_equal(vr_ip_str(&ip, false, buf, sizeof(buf)), "2001:db8:2::1");
	assert_int_equal(vr_ip_parse_prefix("0.0.0.0/0", &ip), 0);
	assert_int_equal(ip.plen, 0);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {"198.18.1.1",     "198.18.1.1/33", "198.18.1.1/",
					  "198.18.1/24",    "2001:db8:::1/64", "2001:db8::/129",
					  "198.18.1.1/2x", "/24",           "198.18.1.1/-1"};
	struct vr_ip ip;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_not_equal(vr_ip_parse_prefix(bad[i], &ip), 0);
	assert_int_not_equal(vr_ip_parse("198.18.1", &ip), 0);
}

static void test_network(void **state)
{
	struct vr_ip p, a;

	(void)state;
	vr_ip_parse_prefix("198.19.0.0/16", &p);
	assert_true(vr_ip_is_network(&p));
	vr_ip_parse_prefix("198.19.0.1/16", &p);
	assert_false(vr_ip_is_network(&p));
	vr_ip_parse_prefix("2001:db8:99::/48", &p);
	assert_true(vr_ip_is_network(&p));
	vr_ip_parse("2001:db8:99:1::5", &a);
	assert_true(vr_ip_in_prefix(&a, &p));
	vr_ip_parse("2001:db8:98::5", &a);
	assert_false(vr_ip_in_prefix(&a, &p));
	vr_ip_parse("198.19.0.5", &a);
	assert_false(vr_ip_in_prefix(&a, &p)); /* other family */
}

static void test_cmp(void **state)
{
	struct vr_ip a, b;

	(void)state;
	vr_ip_parse_prefix("198.18.1.0/24", &a);
	vr_ip_parse_prefix("198.18.2.0/24", &b);
	assert_true(vr_ip_cmp(&a, &b) < 0);
	assert_true(vr_ip_cmp(&b, &a) > 0);
	vr_ip_parse_prefix("198.18.1.0/25", &b);
	assert_true(vr_ip_cmp(&a, &b) < 0);
	assert_int_equal(vr_ip_cmp(&a, &a), 0);
	vr_ip_parse_prefix("2001:db8::/32", &b);
	assert_true(vr_ip_cmp(&a, &b) < 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_cmp),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
