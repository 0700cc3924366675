// A plugin library for package_test that registers no component.
extern "C" int gale_package_test_plugin() { return 1; }
