/*
 * status.c - text for ik_status codes, generated from IK_STATUS_MAP.
 */
#include "inkan/common.h"

const char *ik_strerror(ik_status st)
{
    switch (st) {
#define IK_STATUS_TEXT_(name, val, text)                                                           \
    case IK_##name: return text;
        IK_STATUS_MAP(IK_STATUS_TEXT_)
#undef IK_STATUS_TEXT_
    }
    return "unknown status";
}

const char *ik_status_name(ik_status st)
{
    switch (st) {
#define IK_STATUS_NAME_(name, val, text)                                                           \
    case IK_##name: return "IK_" #name;
        IK_STATUS_MAP(IK_STATUS_NAME_)
#undef IK_STATUS_NAME_
    }
    return "IK_UNKNOWN";
}
