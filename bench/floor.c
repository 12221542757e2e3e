/* The floor of a model-monitor process's start-up cost on this machine: a program that does
 * nothing but link the two client libraries every command needs, libcurl and libmongoc (whose
 * library constructor runs mongoc_init: OpenSSL, Cyrus SASL's plugins, ICU). bench/run.sh
 * measures it beside `model-monitor version` to show what the binary adds to it. */
#include <curl/curl.h>
#include <mongoc/mongoc.h>
#include <stdio.h>

int main(int argc, char** argv) {
  (void)argv;
  if (argc > 99) { /* never: only keeps both libraries needed */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mongoc_init();
  }
  puts("floor");
  return 0;
}
