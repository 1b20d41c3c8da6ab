/* monitor.c - "vrctl monitor": subscribe, then one line per change vrd
 * makes or sees ("ROUTER: EVENT", or the raw notification with -j), each
 * flushed at once, until vrd closes the connection or the operator
 * interrupts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vrctl.h"

/* Every line is flushed when printed: nothing is lost by leaving at once. */
static void on_interrupt(int sig)
{
	(void)sig;
	_exit(0);
}

/* 0: a change printed; 1: the exit status of a failure, printed. */
static int print_change(const struct vrctl *v, const char *raw, const struct lyd_node *node)
{
	const char *router, *event;

	if (strcmp(vr_ctl_name(node), "change"))
		return vrctl_reply_failed(v, node, true);
	if (v->json) {
		printf("%s\n", raw);
	} else {
		router = vr_ctl_leaf(node, "router");
		event = vr_ctl_leaf(node, "event");
		if (!event)
			event = "";
		if (router && (!*router || !strcmp(router, "-")))
			router = NULL; /* not about one router */
		/* plan lines name their router already: "[red] add route ..." */
		if (router && event[0] == '[' &&
		    !strncmp(event + 1, router, strlen(router)) &&
		    !strncmp(event + 1 + strlen(router), "] ", 2))
			event += strlen(router) + 3;
		if (router)
			printf("%s: %s\n", router, event);
		else
			printf("%s\n", event);
	}
	fflush(stdout);
	return 0;
}

int vrctl_cmd_monitor(const struct vrctl *v, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_interrupt};
	struct lyd_node *tree, *node;
	struct vrctl_conn c;
	char *raw;
	int r;

	(void)argv;
	if (argc != 1)
		return VRCTL_USAGE;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (vrctl_open(v, &c) < 0)
		return 1;
	r = vrctl_send(&c, "{\"vrd:monitor\":{}}");
	if (r < 0)
		goto out;
	/* the subscription's answer: an empty output, or why not */
	r = vrctl_recv(&c, "monitor", VRCTL_TIMEOUT_MS, &raw, &tree, &node);
	if (r == -ECONNRESET)
		fprintf(stderr, "vrctl: vrd closed the connection without answering\n");
	if (r >= 0) {
		if (vrctl_reply_failed(v, node, r == 1)) {
			if (v->json)
				printf("%s\n", raw);
			r = -EINVAL;
		}
		vr_ctl_free(tree);
		free(raw);
	}
	while (r >= 0) {
		r = vrctl_recv(&c, "monitor", VRCTL_FOREVER, &raw, &tree, &node);
		if (r == -ECONNRESET) {
			r = 0;
			break;
		}
		if (r == 0) {
			fprintf(stderr, "vrctl: vrd answered monitor twice\n");
			r = -EINVAL;
		} else if (r == 1 && print_change(v, raw, node)) {
			if (v->json)
				printf("%s\n", raw);
			r = -EINVAL;
		}
		vr_ctl_free(tree);
		free(raw);
	}
out:
	vrctl_close(&c);
	return r < 0 ? 1 : 0;
}
