/* src/speech/score.c - how much of the expected digit string was heard.
 *
 * The longest common subsequence rewards digits heard in the right order
 * even when the recogniser inserted, dropped or confused one: "4831" heard
 * as "4031" or "483" still shows three of four digits in order, while a
 * different string shares about one digit by chance.
 */
#include "livecheck/speech.h"

#include <string.h>

#define SCORE_MAX_LEN 64

int speech_digits_score(const char *expected, const char *heard)
{
    if (expected == NULL || heard == NULL)
        return 0;
    size_t ne = strnlen(expected, SCORE_MAX_LEN);
    size_t nh = strnlen(heard, SCORE_MAX_LEN);
    if (ne == 0)
        return 0;
    /* One row of the LCS table over heard, updated per expected char:
     * row[j] = LCS(expected[0..i), heard[0..j)). */
    unsigned row[SCORE_MAX_LEN + 1] = {0};
    for (size_t i = 0; i < ne; i++) {
        unsigned diag = 0; /* row[j - 1] of the previous i */
        for (size_t j = 1; j <= nh; j++) {
            unsigned up = row[j];
            if (expected[i] == heard[j - 1])
                row[j] = diag + 1;
            else if (row[j - 1] > row[j])
                row[j] = row[j - 1];
            diag = up;
        }
    }
    return (int)((200 * row[nh] + ne) / (2 * ne));
}
