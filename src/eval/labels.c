/* src/eval/labels.c - labelled-sample lists: CSV files with a header that
 * names at least path, label (bona_fide or spoof) and attack_type. Paths
 * are taken relative to the CSV's directory unless absolute. "Quoted"
 * fields may hold commas ("" is a quote); other columns are ignored. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livecheck/err.h"
#include "livecheck/eval.h"
#include "livecheck/mem.h"

/* Split a CSV line into at most max fields in place. Returns how many. */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = 0;
    while (n < max) {
        if (*p == '"') {
            char *w = ++p;
            f[n++] = w;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            char *end = p + strcspn(p, ",");
            *w = 0; /* w is behind p: the closing quote, at least */
            p = end;
        } else {
            f[n++] = p;
            p += strcspn(p, ",");
        }
        if (*p != ',')
            break;
        *p++ = 0;
    }
    return n;
}

/* Index of attack type name (added when new), or -2 when the table is
 * full. An empty name is "unknown". */
static int type_index(struct eval_labels *l, const char *name)
{
    if (name[0] == 0)
        name = "unknown";
    for (int i = 0; i < l->ntypes; i++)
        if (strcmp(l->types[i], name) == 0)
            return i;
    if (l->ntypes == EVAL_MAX_TYPES)
        return -2;
    snprintf(l->types[l->ntypes], sizeof l->types[0], "%s", name);
    return l->ntypes++;
}

static int row_add(struct eval_labels *l, const char *dir, const char *rel,
                   int type)
{
    size_t n = (rel[0] == '/' ? 0 : strlen(dir) + 1) + strlen(rel) + 1;
    if (n > PATH_MAX)
        return LC_ETOOBIG;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = lc_realloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    char *p = lc_malloc(n), *w = p;
    if (rel[0] != '/') {
        size_t k = strlen(dir);
        memcpy(w, dir, k);
        w[k] = '/';
        w += k + 1;
    }
    memcpy(w, rel, strlen(rel) + 1);
    l->v[l->n++] = (struct eval_label){.path = p, .type = type};
    return 0;
}

int eval_labels_read(struct eval_labels *l, const char *csv, struct lc_diag *d)
{
    FILE *f = fopen(csv, "r");
    if (f == NULL)
        return lc_diag_set(d, LC_EIO, "%s: %s", csv, strerror(errno));
    char tmp[PATH_MAX], dir[PATH_MAX], line[2048], *fld[16];
    snprintf(tmp, sizeof tmp, "%s", csv);
    snprintf(dir, sizeof dir, "%s", dirname(tmp));
    int col[3] = {-1, -1, -1};
    if (fgets(line, sizeof line, f)) {
        int nf = csv_split(line, fld, 16);
        for (int i = 0; i < nf; i++) {
            col[0] = strcmp(fld[i], "path") == 0 ? i : col[0];
            col[1] = strcmp(fld[i], "label") == 0 ? i : col[1];
            col[2] = strcmp(fld[i], "attack_type") == 0 ? i : col[2];
        }
    }
    int rc = 0, lineno = 1;
    if (col[0] < 0 || col[1] < 0 || col[2] < 0)
        rc = lc_diag_set(d, LC_EFORMAT, "%s: the header must name path, label and attack_type",
                         csv);
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        int nf = csv_split(line, fld, 16);
        if (nf == 1 && fld[0][0] == 0)
            continue;
        if (nf <= col[0] || nf <= col[1]) {
            rc = lc_diag_set(d, LC_EFORMAT, "%s:%d: too few columns", csv, lineno);
            break;
        }
        int type = -1;
        if (strcmp(fld[col[1]], "spoof") == 0)
            type = type_index(l, nf > col[2] ? fld[col[2]] : "");
        else if (strcmp(fld[col[1]], "bona_fide") != 0)
            rc = lc_diag_set(d, LC_EFORMAT, "%s:%d: label '%s' is neither bona_fide nor spoof",
                             csv, lineno, fld[col[1]]);
        if (rc == 0 && type == -2)
            rc = lc_diag_set(d, LC_EFORMAT, "%s:%d: more than %d attack types", csv, lineno,
                             EVAL_MAX_TYPES);
        if (rc == 0 && row_add(l, dir, fld[col[0]], type) < 0)
            rc = lc_diag_set(d, LC_EFORMAT, "%s:%d: path too long", csv, lineno);
    }
    fclose(f);
    return rc;
}

void eval_labels_release(struct eval_labels *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i].path);
    free(l->v);
    *l = (struct eval_labels){0};
}
