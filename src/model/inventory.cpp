#include "model/operator.hpp"
