// On every console page: log out.

import { wireLogout } from "./ui.js";

wireLogout("/console/login");
