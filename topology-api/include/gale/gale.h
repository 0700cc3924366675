#pragma once

// The whole public API of gale: spouts, bolts, tuples, collectors, config,
// topology context, custom groupings, registration and TopologyBuilder.

#include "gale/collector.h"
#include "gale/component.h"
#include "gale/config.h"
#include "gale/context.h"
#include "gale/fields.h"
#include "gale/grouping.h"
#include "gale/registry.h"
#include "gale/topology.h"
#include "gale/tuple.h"
#include "gale/value.h"
