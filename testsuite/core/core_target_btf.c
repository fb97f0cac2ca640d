// The "other kernel" for core_custom_target.c: its .BTF is the custom target.
struct core_probe {
    char pad[12];
    int a;
    short small;
    long moved;
    short renamed_now;
};

enum core_color { CORE_RED = 10, CORE_BLUE = 20 };

struct core_probe probe_instance;
enum core_color color_instance;
