/* src/cli/models.c - `livecheck models`: what is loaded, and how fast.
 * "macs" is nn_model_mac_count: the multiply-accumulates of one inference. */
#include <string.h>

#include "cli/cli.h"

static json_t *shape_json(struct nn_shape s)
{
    json_t *a = json_array();
    for (int i = 0; i < s.rank; i++)
        json_array_append_new(a, json_integer(s.d[i]));
    return a;
}

int cli_models(int argc, char **argv)
{
    const char *models = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else
            return cli_fail("error_usage", "models: unexpected argument '%s'", argv[i]);
    }
    struct vision_models vm;
    struct lc_diag d = {{0}};
    const char *dir = cli_models_dir(models);
    if (vision_models_load(&vm, dir, &d) < 0)
        return cli_fail("error_models_unavailable", "%s: %s", dir, d.msg);
    json_t *list = json_array();
    for (int i = 0; i < VISION_MODEL_COUNT; i++) {
        const nn_model *m = vm.m[i];
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:o, s:i, s:i, s:I, s:s, s:f}", "name",
                            vision_model_file((enum vision_model_id)i), "input",
                            nn_model_input_name(m, 0), "inputShape",
                            shape_json(nn_model_input_shape(m, 0)), "ops",
                            nn_model_node_count(m), "opsAfterFolding",
                            nn_model_run_node_count(m), "macs",
                            (json_int_t)nn_model_mac_count(m), "sha256",
                            nn_model_sha256(m), "loadMs", vm.load_ms[i]));
    }
    cli_print(json_pack("{s:s, s:o}", "modelsDir", dir, "models", list));
    vision_models_release(&vm);
    return CLI_OK;
}
