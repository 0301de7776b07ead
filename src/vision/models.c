/* src/vision/models.c - the six face models: file names, pinned SHA-256,
 * loading with the checksum enforced and the input shapes checked. */
#include "vision/vision_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *file;
    const char *sha256;
    int c, h, w; /* the NCHW input the recipes fill */
} tab[VISION_MODEL_COUNT] = {
    [VISION_DETECT] = {"fr_detect.onnx",
        "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854",
        3, 240, 320},
    [VISION_LANDMARK] = {"fr_landmark.onnx",
        "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258",
        1, 64, 64},
    [VISION_LIVENESS] = {"fr_liveness.onnx",
        "afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d",
        3, 128, 128},
    [VISION_FEATURE] = {"fr_feature.onnx",
        "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581",
        3, 112, 112},
    [VISION_EYE] = {"fr_eye.onnx",
        "1afcea006abc1ccac3c517022abde0aa092bed74ff3c9fe6878483ef9e6e38de",
        1, 24, 24},
    [VISION_POSE] = {"fr_pose.onnx",
        "72d032ec941b7153bf8d3f2c03a4c165453cc7e63d479041ec7c6ef087e5839d",
        3, 224, 224},
};

const char *vision_model_file(enum vision_model_id id)
{
    return (unsigned)id < VISION_MODEL_COUNT ? tab[id].file : NULL;
}

const char *vision_model_sha256(enum vision_model_id id)
{
    return (unsigned)id < VISION_MODEL_COUNT ? tab[id].sha256 : NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The model's first input must be exactly 1 x c x h x w. */
static int check_shape(const nn_model *m, int id, struct lc_diag *diag)
{
    struct nn_shape s = nn_model_input_shape(m, 0);
    if (nn_model_input_count(m) != 1 || s.rank != 4 || s.d[0] != 1 ||
        s.d[1] != tab[id].c || s.d[2] != tab[id].h || s.d[3] != tab[id].w)
        return lc_diag_set(diag, LC_EFORMAT,
                           "%s: input is not 1x%dx%dx%d", tab[id].file,
                           tab[id].c, tab[id].h, tab[id].w);
    return 0;
}

int vision_models_load(struct vision_models *vm, const char *dir,
                       struct lc_diag *diag)
{
    memset(vm, 0, sizeof *vm);
    for (int i = 0; i < VISION_MODEL_COUNT; i++) {
        char path[4096];
        int k = snprintf(path, sizeof path, "%s/%s", dir, tab[i].file);
        if (k < 0 || (size_t)k >= sizeof path) {
            vision_models_release(vm);
            return lc_diag_set(diag, LC_EINVAL, "model path too long: %s",
                               dir);
        }
        struct nn_load_opts opts = {.sha256 = tab[i].sha256};
        struct lc_diag d = {{0}};
        double t0 = now_ms();
        int rc = nn_model_load(&vm->m[i], path, &opts, &d);
        vm->load_ms[i] = now_ms() - t0;
        if (rc == 0)
            rc = check_shape(vm->m[i], i, &d);
        if (rc < 0) {
            vision_models_release(vm);
            return lc_diag_set(diag, rc, "%s: %s", path,
                               d.msg[0] ? d.msg : lc_strerror(rc));
        }
    }
    return 0;
}

void vision_models_release(struct vision_models *vm)
{
    if (vm == NULL)
        return;
    for (int i = 0; i < VISION_MODEL_COUNT; i++) {
        nn_model_free(vm->m[i]);
        vm->m[i] = NULL;
    }
}
